import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Root } from './Root';
import { storedToken, storeToken } from './signin';
import { json, stubFetch } from './test/http';

afterEach(() => sessionStorage.clear());

describe('Root', () => {
  it('forgets a token the API refuses and asks to sign in', async () => {
    storeToken('expired-token');
    stubFetch(() => json({ status: 401, title: 'Unauthorized', detail: 'the token has expired' }, 401));
    render(<Root apiUrl="http://api.test" />);
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(storedToken()).toBeNull();
  });

  it('keeps the token when the API cannot be reached', async () => {
    storeToken('good-token');
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    render(<Root apiUrl="http://api.test" />);
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(storedToken()).toBe('good-token');
  });
});
