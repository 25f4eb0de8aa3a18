import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { json, stubFetch } from '../test/http';
import { SignIn } from './SignIn';

const API = 'http://api.test';

describe('SignIn', () => {
  it('exchanges a one-time code for a token, then asks who it is', async () => {
    const fetch = stubFetch((url, init) => {
      if (url.pathname === '/api/enrollments') {
        expect(JSON.parse(String(init?.body))).toEqual({ code: '7kq2 m9xd 4tzp', enrollment: 'web' });
        return json({ token: 'attendee-token', token_type: 'Bearer', person_id: 5, expires: '2020-08-18T15:15:00Z' }, 201);
      }
      expect((init?.headers as Record<string, string>).authorization).toBe('Bearer attendee-token');
      return json({ role: 'attendee', person_id: 5 });
    });
    const signedIn = vi.fn();
    render(<SignIn apiUrl={API} onSignedIn={signedIn} />);
    await userEvent.type(screen.getByLabelText('Sign-in code or organizer token'), '7kq2 m9xd 4tzp');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await vi.waitFor(() => expect(signedIn).toHaveBeenCalledWith('attendee-token', { role: 'attendee', person_id: 5 }));
    expect(fetch.mock.calls.map(([input]) => new URL(String(input)).pathname)).toEqual(['/api/enrollments', '/api/session']);
  });

  it('takes a longer text as the organizer’s token, as the API judges it', async () => {
    stubFetch(() => json({ status: 401, title: 'Unauthorized', detail: 'the token is malformed' }, 401));
    const signedIn = vi.fn();
    render(<SignIn apiUrl={API} onSignedIn={signedIn} />);
    await userEvent.type(screen.getByLabelText('Sign-in code or organizer token'), 'not-the-organizer-token-at-all');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That is not a valid sign-in code or organizer token.');
    expect(signedIn).not.toHaveBeenCalled();
  });

  it('says when a code is used up', async () => {
    stubFetch(() =>
      json(
        { status: 422, title: 'Unprocessable Entity', detail: 'is unknown, expired or already used', field: 'code' },
        422,
      ),
    );
    render(<SignIn apiUrl={API} onSignedIn={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Sign-in code or organizer token'), '7KQ2-M9XD-4TZP');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('ask the organizer for a new one');
  });
});
