import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Person } from '../api';
import { PersonList } from './PersonList';

const persons: Person[] = [
  { id: 1, first_name: 'Pam', last_name: 'Trexler', company_name: 'Hampton, Hampton and McQuill' },
  { id: 5, first_name: 'Taco', last_name: 'Fargo', company_name: 'Alpha Omega Upholstery' },
  { id: 6, first_name: 'José', last_name: 'Shader', company_name: 'USDA' },
];

function renderList(onSelect = vi.fn()) {
  render(
    <PersonList
      persons={{ status: 'ready', data: persons }}
      onRetry={vi.fn()}
      selectedId={5}
      hrefFor={(id) => `?person=${id}`}
      onSelect={onSelect}
    />,
  );
  return onSelect;
}

const shown = () => screen.queryAllByTestId(/^person-/).map((item) => item.dataset.testid);

describe('PersonList', () => {
  it('filters by name or company, ignoring case and accents', async () => {
    renderList();
    expect(shown()).toEqual(['person-1', 'person-5', 'person-6']);
    const search = screen.getByLabelText('Search by name or company');

    await userEvent.type(search, 'omega');
    expect(shown()).toEqual(['person-5']);
    expect(screen.getByText('1 of 3 people')).toBeTruthy();

    await userEvent.clear(search);
    await userEvent.type(search, 'jose usda');
    expect(shown()).toEqual(['person-6']);

    await userEvent.type(search, 'x');
    expect(shown()).toEqual([]);
    expect(screen.getByText('No one matches “jose usdax”.')).toBeTruthy();
  });

  it('selects a person with a plain click on their link, and marks the selected one', async () => {
    const onSelect = renderList();
    const link = screen.getByRole('link', { name: /Pam Trexler/ });
    expect(link.getAttribute('href')).toBe('?person=1');
    expect(screen.getByRole('link', { current: 'page' }).textContent).toContain('Taco Fargo');

    await userEvent.click(link);
    expect(onSelect).toHaveBeenCalledWith(1);
  });
});
