// Where the page keeps its token, and how it tells a one-time code from the
// organizer's token. The token lives in sessionStorage: it goes when the
// tab closes, and no other site can read it.

const STORAGE_KEY = 'udaconnect.token';

/** The token of this tab's sign-in, if any. */
export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Keeps the token for this tab, or forgets it (`null`). */
export function storeToken(token: string | null) {
  try {
    if (token === null) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Storage refused (a private mode): the sign-in lasts until reload.
  }
}

/**
 * Whether what was typed is a one-time code (twelve letters and digits,
 * however grouped) rather than the organizer's token, which is longer.
 */
export function looksLikeCode(typed: string): boolean {
  return /^[0-9a-z]{12}$/i.test(typed.replace(/[\s-]/g, ''));
}
