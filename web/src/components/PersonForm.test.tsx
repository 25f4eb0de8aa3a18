import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api';
import { json, stubFetch } from '../test/http';
import { PersonForm } from './PersonForm';

const api = new ApiClient('http://api.test/');

async function fill(first: string, last: string, company: string) {
  const user = userEvent.setup();
  if (first) await user.type(screen.getByLabelText('First name'), first);
  if (last) await user.type(screen.getByLabelText('Last name'), last);
  if (company) await user.type(screen.getByLabelText('Company'), company);
  await user.click(screen.getByRole('button', { name: 'Add person' }));
}

describe('PersonForm', () => {
  it('shows a 422 problem under the field it names', async () => {
    const fetch = stubFetch(() =>
      json(
        {
          type: 'about:blank',
          title: 'Unprocessable Entity',
          status: 422,
          detail: 'first_name: must not be empty',
          field: 'first_name',
        },
        422,
      ),
    );
    const onCreated = vi.fn();
    render(<PersonForm api={api} onCreated={onCreated} />);

    await fill('', 'Doe', 'Acme');

    const input = screen.getByLabelText('First name');
    const error = await screen.findByText('Must not be empty');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toBe(error.id);
    expect(document.activeElement).toBe(input);
    expect(screen.getByLabelText('Last name').getAttribute('aria-invalid')).toBeNull();
    expect(onCreated).not.toHaveBeenCalled();

    const [url, init] = fetch.mock.calls[0];
    expect(String(url)).toBe('http://api.test/api/persons');
    expect(init?.method).toBe('POST');
    expect(JSON.parse(String(init?.body))).toEqual({ first_name: '', last_name: 'Doe', company_name: 'Acme' });
  });

  it('shows a problem naming no field of the form above the button', async () => {
    stubFetch(() => json({ status: 415, title: 'Unsupported Media Type', detail: 'the request body must be JSON' }, 415));
    render(<PersonForm api={api} onCreated={vi.fn()} />);

    await fill('Jane', 'Doe', 'Acme');

    expect((await screen.findByRole('alert')).textContent).toBe('the request body must be JSON');
  });

  it('hands over the created person and clears the form', async () => {
    stubFetch(() => json({ id: 42, first_name: 'Jane', last_name: 'Doe', company_name: 'Acme' }, 201));
    const onCreated = vi.fn();
    render(<PersonForm api={api} onCreated={onCreated} />);

    await fill('Jane', 'Doe', 'Acme');

    expect(await screen.findByText('Added Jane Doe.')).toBeTruthy();
    expect(onCreated).toHaveBeenCalledWith({ id: 42, first_name: 'Jane', last_name: 'Doe', company_name: 'Acme' });
    expect((screen.getByLabelText('First name') as HTMLInputElement).value).toBe('');
  });
});
