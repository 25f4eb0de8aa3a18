// The page end to end: a real Chromium (Debian's, driven by playwright-core)
// opens the page that `udaconnect web` serves and works it like a user,
// against a running stack seeded with the starter data. Every expectation
// is read from the REST API itself, so the test checks that the page shows
// what the API answers, not what someone once copied from it.
//
//   WEB_URL=http://127.0.0.1:30000 API_URL=http://127.0.0.1:30001 node --test web/e2e/app.test.mjs
//
// scripts/test starts such a stack and runs this. Screenshots go to
// $E2E_OUTPUT (web/e2e/output by default).

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, beforeEach, afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const WEB_URL = required('WEB_URL');
const API_URL = required('API_URL').replace(/\/+$/, '');
const OUTPUT = process.env.E2E_OUTPUT ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'output');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** How long the page may take to show what the API answers. */
const TIMEOUT_MS = 15_000;

/** A starter-data day on which Pam Trexler (person 1) met several people. */
const BUSY_DAY = '2020-07-07';
/** A starter-data day on which Pam Trexler and Taco Fargo met 0.26 m apart. */
const CLOSE_DAY = '2020-08-15';
/** The day of the crowd this test makes. */
const CROWD_DAY = '2021-03-03';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (see the comment at the top of this file)`);
  return value;
}

async function api(route) {
  const response = await fetch(`${API_URL}${route}`, { headers: { accept: 'application/json' } });
  const body = await response.text();
  assert.equal(response.status, 200, `GET ${route} answered ${response.status}: ${body}`);
  return JSON.parse(body);
}

async function post(route, body) {
  const response = await fetch(`${API_URL}${route}`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `POST ${route} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

/** Asks `check` until it answers something truthy, at most TIMEOUT_MS. */
async function eventually(what, check) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const answer = await check();
    if (answer) return answer;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** What the API answers for the settings in the page's address (which names them as the API does). */
function contactsFor(pageUrl) {
  const shown = new URL(pageUrl).searchParams;
  const query = new URLSearchParams();
  for (const name of ['start', 'end', 'distance', 'window', 'min_duration']) {
    assert.ok(shown.has(name), `the page's address ${pageUrl} has no ${name}`);
    query.set(name, shown.get(name));
  }
  return api(`/api/persons/${shown.get('person')}/contacts?${query}`);
}

/** Waits until the contacts tab lists exactly `ids`, in order, or shows its empty message for none. */
async function waitForContacts(page, ids) {
  try {
    await page.waitForFunction(
      (expected) => {
        const view = document.querySelector('.contacts');
        if (!view || view.getAttribute('aria-busy') !== 'false') return false;
        const shown = [...view.querySelectorAll('[data-testid^="contact-"]')].map((item) =>
          Number(item.dataset.testid.slice('contact-'.length)),
        );
        const empty = view.querySelector('.empty') !== null;
        return expected.length === 0 ? empty && shown.length === 0 : JSON.stringify(shown) === JSON.stringify(expected);
      },
      ids,
      { timeout: TIMEOUT_MS },
    );
  } catch (error) {
    const shown = await page
      .locator('[data-testid^="contact-"]')
      .evaluateAll((items) => items.map((item) => item.dataset.testid));
    const text = await page.locator('.pane-view').innerText().catch(() => '(no view)');
    assert.fail(`expected contacts ${JSON.stringify(ids)}, the page shows ${JSON.stringify(shown)}:\n${text}\n${error}`);
  }
}

/** Types a value into a number setting and waits for the address to take it (after the typing pause). */
async function setNumber(page, label, param, value) {
  await page.getByLabel(label, { exact: true }).fill(String(value));
  await page.waitForURL((url) => url.searchParams.get(param) === String(value), { timeout: TIMEOUT_MS });
}

async function setPeriod(page, start, end) {
  await page.getByLabel('Start date', { exact: true }).fill(start);
  await page.getByLabel('End date', { exact: true }).fill(end);
  await page.waitForURL(
    (url) => url.searchParams.get('start') === start && url.searchParams.get('end') === end,
    { timeout: TIMEOUT_MS },
  );
}

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(OUTPUT, `${name}.png`), fullPage: true });
}

describe('the web page', () => {
  let browser;
  let context;
  let page;
  /** Script errors and failed resource loads other than the API's 4xx answers the test provokes. */
  let problems;

  before(async () => {
    await mkdir(OUTPUT, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
    context.setDefaultTimeout(TIMEOUT_MS);
    page = await context.newPage();
    problems = [];
    page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
    page.on('console', (message) => {
      // Chromium logs every 4xx answer as a failed load; those the test provokes on purpose are checked where provoked.
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) {
        problems.push(`console error: ${message.text()}`);
      }
    });
  });

  afterEach(async () => {
    await context?.close();
    assert.deepEqual(problems, [], 'the page logged errors (a Content-Security-Policy violation shows here too)');
  });

  test('lists everyone the API knows', async () => {
    const persons = await api('/api/persons');
    assert.ok(persons.length > 0, 'the stack is seeded with the starter data');
    await page.goto(WEB_URL);
    await page.getByTestId(`person-${persons[0].id}`).waitFor();
    const shown = await page
      .locator('[data-testid^="person-"]')
      .evaluateAll((items) => items.map((item) => item.dataset.testid));
    assert.deepEqual(
      shown.sort(),
      persons.map((p) => `person-${p.id}`).sort(),
    );
    for (const person of persons) {
      const item = page.getByTestId(`person-${person.id}`);
      assert.match(await item.innerText(), new RegExp(`${person.first_name} ${person.last_name}`));
    }

    await page.getByLabel('Search by name or company').fill('taco');
    const matching = persons.filter((p) => `${p.first_name} ${p.last_name} ${p.company_name}`.toLowerCase().includes('taco'));
    assert.ok(matching.length > 0 && matching.length < persons.length);
    await page.waitForFunction(
      (count) => document.querySelectorAll('[data-testid^="person-"]').length === count,
      matching.length,
    );
  });

  test("shows a person's contacts as the API ranks them, with each meeting and a map", async () => {
    const person = await api('/api/persons/1');
    await page.goto(WEB_URL);
    await page.getByTestId('person-1').getByRole('link').click();
    await page.getByRole('heading', { name: `${person.first_name} ${person.last_name}` }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('person'), '1');

    await setPeriod(page, BUSY_DAY, BUSY_DAY);
    const expected = await contactsFor(page.url());
    assert.ok(expected.contacts.length >= 2, `person 1 met several people on ${BUSY_DAY}`);
    await waitForContacts(
      page,
      expected.contacts.map((c) => c.person.id),
    );

    for (const contact of expected.contacts) {
      const item = page.getByTestId(`contact-${contact.person.id}`);
      const text = await item.innerText();
      assert.match(text, new RegExp(`${contact.person.first_name} ${contact.person.last_name}`));
      assert.match(text, new RegExp(`Meetings\\s+${contact.meeting_count}\\b`));
    }

    // One meeting's details on request.
    const first = expected.contacts[0];
    const name = `${first.person.first_name} ${first.person.last_name}`;
    const disclosure = page.getByRole('button', { name: new RegExp(`^Show \\d+ meetings? with ${name}$`) });
    assert.equal(await disclosure.getAttribute('aria-expanded'), 'false');
    await disclosure.click();
    const meetings = page.getByRole('list', { name: `Meetings with ${name}` });
    await meetings.waitFor({ state: 'visible' });
    assert.equal(await meetings.locator('li.meeting').count(), first.meetings.length);
    assert.equal(
      await page.getByRole('button', { name: new RegExp(`^Hide .* with ${name}$`) }).getAttribute('aria-expanded'),
      'true',
    );

    // Every meeting is a point on the map.
    const map = page.getByTestId('meeting-map');
    const meetingCount = expected.contacts.reduce((sum, c) => sum + c.meetings.length, 0);
    assert.equal(await map.locator('circle.map-point').count(), meetingCount);
    assert.match(await map.getAttribute('aria-label'), new RegExp(`^Map of ${meetingCount} meetings? with`));
    await screenshot(page, 'contacts');

    // The address holds the view: a reload shows the same.
    await page.reload();
    await waitForContacts(
      page,
      expected.contacts.map((c) => c.person.id),
    );

    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'contacts-phone');
  });

  test('follows the distance setting', async () => {
    // A shared address opens the view it names.
    await page.goto(`${WEB_URL}?person=1&start=${CLOSE_DAY}&end=${CLOSE_DAY}&distance=50`);
    await page.getByTestId('distance').waitFor();
    assert.equal(await page.getByTestId('distance').inputValue(), '50');
    // The page completes the address with the settings it applies.
    await page.waitForURL((url) => url.searchParams.has('window') && url.searchParams.has('min_duration'));
    const near = await contactsFor(page.url());
    assert.ok(near.contacts.length > 0, `person 1 met someone within 50 m on ${CLOSE_DAY}`);
    await waitForContacts(
      page,
      near.contacts.map((c) => c.person.id),
    );

    await setNumber(page, 'Distance (m)', 'distance', 0);
    const none = await contactsFor(page.url());
    assert.notDeepEqual(none.contacts, near.contacts, 'the two distances must tell different stories');
    await waitForContacts(
      page,
      none.contacts.map((c) => c.person.id),
    );
    if (none.contacts.length === 0) {
      await page.getByText(/^No contacts between/).waitFor();
    }

    // A distance the API refuses is caught at the input, and the address keeps the last valid one.
    await page.getByLabel('Distance (m)', { exact: true }).fill('51');
    await page.getByText('Correct the settings above to see results.').waitFor();
    assert.equal(await page.getByTestId('distance').getAttribute('aria-invalid'), 'true');
    assert.equal(new URL(page.url()).searchParams.get('distance'), '0');
  });

  test("keeps the map's counts readable where meetings crowd together", async () => {
    // A host meets twelve guests twice each, an hour apart, each guest standing 8 m from the next: the
    // meetings (midway between the two) stack in twos 4 m apart, too close for a count beside each.
    // The place is the run's own, so that earlier runs against the same stack do not join in.
    const person = (last_name) => ({ first_name: 'Crowd', last_name, company_name: 'End to end' });
    const host = await post('/api/persons', person('Host'));
    const guests = [];
    for (let i = 1; i <= 12; i++) guests.push(await post('/api/persons', person(`Guest ${i}`)));
    const origin = { latitude: 10 + (host.id % 1000) / 100, longitude: 20 };
    const at = (east, north) => ({
      latitude: origin.latitude + north / 111_195,
      longitude: origin.longitude + east / (111_195 * Math.cos((origin.latitude * Math.PI) / 180)),
    });
    for (const time of [`${CROWD_DAY}T10:00:00`, `${CROWD_DAY}T11:00:00`]) {
      await post('/api/locations', { person_id: host.id, creation_time: time, ...at(0, 0) });
      for (const [i, guest] of guests.entries()) {
        const place = at((i % 4) * 8, Math.floor(i / 4) * 8);
        await post('/api/locations', { person_id: guest.id, creation_time: time, ...place });
      }
    }
    const settings = `start=${CROWD_DAY}&end=${CROWD_DAY}&distance=50`;
    // Pings are stored asynchronously.
    const expected = await eventually('the pings to be stored', async () => {
      const answer = await api(`/api/persons/${host.id}/contacts?${settings}`);
      return answer.contacts.length === guests.length && answer;
    });

    await page.goto(`${WEB_URL}?person=${host.id}&${settings}`);
    await waitForContacts(
      page,
      expected.contacts.map((c) => c.person.id),
    );
    const map = page.getByTestId('meeting-map');
    assert.equal(await map.locator('circle.map-point').count(), 2 * guests.length);
    // Measured as Chromium draws them, fonts and all.
    const badges = await map.evaluate((svg) =>
      [...svg.querySelectorAll('.map-count')].map((badge) => {
        const box = (element) => {
          const { x, y, width, height } = element.getBBox();
          return { x, y, width, height };
        };
        const text = badge.querySelector('text');
        return { rect: box(badge.querySelector('rect')), text: box(text), count: text.textContent };
      }),
    );
    await map.screenshot({ path: path.join(OUTPUT, 'crowded-map.png') });
    // Every meeting is in a stack of two, so every one is counted.
    assert.equal(
      badges.reduce((sum, badge) => sum + Number(badge.count.replace('×', '')), 0),
      2 * guests.length,
      JSON.stringify(badges),
    );
    const inside = (inner, outer) =>
      inner.x >= outer.x &&
      inner.y >= outer.y &&
      inner.x + inner.width <= outer.x + outer.width &&
      inner.y + inner.height <= outer.y + outer.height;
    const overlap = (a, b) =>
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    for (const [i, badge] of badges.entries()) {
      assert.ok(inside(badge.text, badge.rect), `${badge.count} fits its badge: ${JSON.stringify(badge)}`);
      for (const other of badges.slice(i + 1)) {
        assert.ok(!overlap(badge.rect, other.rect), `${badge.count} and ${other.count} overlap`);
      }
    }
  });

  test('says so when a person does not exist', async () => {
    const persons = await api('/api/persons');
    const missing = Math.max(...persons.map((p) => p.id)) + 1000;
    await page.goto(`${WEB_URL}?person=${missing}`);
    await page.getByRole('alert').getByText(`No person with id ${missing}`).waitFor();
  });

  test('adds a person, refusing a blank name with the reason at the field', async () => {
    const before = await api('/api/persons');
    await page.goto(WEB_URL);
    await page.getByTestId(`person-${before[0].id}`).waitFor();

    await page.getByRole('button', { name: 'Add person' }).click();
    const firstName = page.getByLabel('First name', { exact: true });
    await firstName.and(page.locator('[aria-invalid="true"]')).waitFor();
    const errorId = await firstName.getAttribute('aria-describedby');
    assert.ok(errorId, 'the error is tied to the input');
    assert.notEqual((await page.locator(`[id="${errorId}"]`).innerText()).trim(), '');
    assert.equal((await api('/api/persons')).length, before.length, 'nothing was stored');

    const last = `Browser${Date.now()}`;
    await firstName.fill('Ada');
    await page.getByLabel('Last name', { exact: true }).fill(last);
    await page.getByLabel('Company', { exact: true }).fill('Analytical Engines');
    await page.getByRole('button', { name: 'Add person' }).click();
    await page.getByRole('status').getByText(`Added Ada ${last}.`).waitFor();

    const stored = (await api('/api/persons')).filter((p) => p.last_name === last);
    assert.equal(stored.length, 1, 'the API stored the person once');
    const [created] = stored;
    assert.deepEqual(
      { first_name: created.first_name, company_name: created.company_name },
      { first_name: 'Ada', company_name: 'Analytical Engines' },
    );
    const link = page.getByTestId(`person-${created.id}`).getByRole('link');
    assert.equal(await link.getAttribute('aria-current'), 'page', 'the new person is selected');
    await page.getByRole('heading', { name: `Ada ${last}` }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('person'), String(created.id));
    await screenshot(page, 'person-added');
  });
});
