// The page end to end: a real Chromium (Debian's, driven by playwright-core)
// opens the page that `udaconnect web` serves and works it like a user,
// against a running stack seeded with the starter data. Every expectation
// is read from the REST API itself, so the test checks that the page shows
// what the API answers, not what someone once copied from it.
//
//   WEB_URL=http://127.0.0.1:30000 API_URL=http://127.0.0.1:30001 ORGANIZER_TOKEN=… node --test web/e2e/app.test.mjs
//
// scripts/test starts such a stack and runs this. Screenshots go to
// $E2E_OUTPUT (web/e2e/output by default).

import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, beforeEach, afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const WEB_URL = required('WEB_URL');
const API_URL = required('API_URL').replace(/\/+$/, '');
/** The stack's organizer token: the tests read the API, and sign the page in, as the organizer. */
const ORGANIZER_TOKEN = required('ORGANIZER_TOKEN');
const AS_ORGANIZER = { authorization: `Bearer ${ORGANIZER_TOKEN}` };
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
/** The sample event's floor plan and programme, and its hours (see data/sample-event/README.md). */
const SAMPLE_EVENT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../data/sample-event');
const SAMPLE_HOURS = { start: '2020-08-18T14:55:00Z', end: '2020-08-18T19:25:00Z', time_zone: 'America/Denver' };
/** How long the attendance consumer may take to map the pings this test sends. */
const ATTENDANCE_TIMEOUT_MS = 60_000;

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (see the comment at the top of this file)`);
  return value;
}

async function api(route) {
  const response = await fetch(`${API_URL}${route}`, { headers: { accept: 'application/json', ...AS_ORGANIZER } });
  const body = await response.text();
  assert.equal(response.status, 200, `GET ${route} answered ${response.status}: ${body}`);
  return JSON.parse(body);
}

async function post(route, body) {
  return send('POST', route, JSON.stringify(body), 'application/json');
}

async function send(method, route, body, contentType) {
  const response = await fetch(`${API_URL}${route}`, {
    method,
    headers: { accept: 'application/json', 'content-type': contentType, ...AS_ORGANIZER },
    body,
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${route} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

/** Asks `check` until it answers something truthy, at most `timeout` ms. */
async function eventually(what, check, timeout = TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
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

/** A place `east` and `north` metres from `origin`. */
function offset(origin, east, north) {
  return {
    latitude: origin.latitude + north / 111_195,
    longitude: origin.longitude + east / (111_195 * Math.cos((origin.latitude * Math.PI) / 180)),
  };
}

/** The middle of an area (the sample's areas are rectangles). */
function middle(feature) {
  const [ring] = feature.geometry.coordinates;
  const mid = (values) => (Math.min(...values) + Math.max(...values)) / 2;
  return { latitude: mid(ring.map(([, latitude]) => latitude)), longitude: mid(ring.map(([longitude]) => longitude)) };
}

/** A ping of the person at the place every 10 seconds from `from` to `to`, both included. */
function pings(personId, place, [from, to]) {
  const list = [];
  for (let time = Date.parse(from); time <= Date.parse(to); time += 10_000) {
    list.push({ person_id: personId, creation_time: new Date(time).toISOString(), ...place });
  }
  return list;
}

/** Sends pings a few at a time. */
async function sendPings(list) {
  for (let i = 0; i < list.length; i += 25) {
    await Promise.all(list.slice(i, i + 25).map((ping) => post('/api/locations', ping)));
  }
}

function overlap(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** `text` matched literally in a regular expression. */
function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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

  /** A fresh browser context, its pages signed in with `token` (none: signed out). */
  async function openContext(token) {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
    context.setDefaultTimeout(TIMEOUT_MS);
    if (token) {
      // As the page keeps a sign-in: for this tab, in sessionStorage.
      await context.addInitScript((value) => sessionStorage.setItem('udaconnect.token', value), token);
    }
    page = await context.newPage();
    problems = [];
    page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
    page.on('console', (message) => {
      // Chromium logs every 4xx answer as a failed load; those the test provokes on purpose are checked where provoked.
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) {
        problems.push(`console error: ${message.text()}`);
      }
    });
  }

  beforeEach(async () => {
    await openContext(ORGANIZER_TOKEN);
  });

  afterEach(async () => {
    await context?.close();
    assert.deepEqual(problems, [], 'the page logged errors (a Content-Security-Policy violation shows here too)');
  });

  test('lets an attendee in with a one-time code, to their own data only', async () => {
    await context.close();
    await openContext(null);
    const taco = await api('/api/persons/5');
    const { code } = await post('/api/persons/5/enrollment-codes');
    await page.goto(WEB_URL);
    await page.getByLabel('Sign-in code or organizer token').fill(code.toLowerCase());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`Signed in as ${taco.first_name} ${taco.last_name}`).waitFor();
    await page.getByTestId('person-5').waitFor();
    assert.equal(await page.locator('[data-testid^="person-"]').count(), 1, 'an attendee sees only themselves');
    assert.equal(await page.getByRole('link', { name: 'Organizer' }).count(), 0);
    assert.equal(await page.getByRole('heading', { name: 'Add a person' }).count(), 0);
    assert.equal(new URL(page.url()).searchParams.get('person'), '5');

    // Everything stored about them, as the API exports it.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download my data' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'udaconnect-person-5.json');
    const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(exported.person.id, 5);
    const stored = await api('/api/persons/5/export');
    assert.equal(exported.locations.length, stored.locations.length);
    assert.ok(exported.locations.length > 0, 'the starter data has pings of person 5');

    // Their choices, saved as they are made: nobody is shown to others until they choose to be.
    const visible = page.getByRole('checkbox', { name: 'Let other attendees see me' });
    await page.waitForFunction(() => !document.querySelector('.privacy input[type="checkbox"]')?.disabled);
    assert.equal(await visible.isChecked(), false);
    for (const choice of [true, false]) {
      await visible.click();
      await page.waitForFunction((want) => document.querySelector('.privacy input[type="checkbox"]')?.checked === want, choice);
      assert.equal((await api('/api/persons/5/privacy')).visible_to_others, choice, 'the API holds the choice');
    }

    // The code is used up; signing out brings the sign-in back, and the code no longer works.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Sign-in code or organizer token').fill(code);
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.match(await page.getByRole('alert').innerText(), /unknown, expired or already used/);
  });

  test("renders the API's documentation under the API's Content-Security-Policy", async () => {
    const response = await page.goto(`${API_URL}/docs/`);
    assert.match(response.headers()['content-security-policy'] ?? '', /default-src 'self'/);
    // Swagger UI lists the operations once its scripts ran; a CSP violation would show in the console.
    await page.locator('.opblock-summary-path', { hasText: '/api/persons/{person_id}/shared' }).first().waitFor();
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
    // Pings are stored asynchronously: every guest met, both times.
    const expected = await eventually('the pings to be stored', async () => {
      const answer = await api(`/api/persons/${host.id}/contacts?${settings}`);
      const met = answer.contacts.filter((c) => c.meetings.length === 2);
      return met.length === guests.length && answer;
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

  test("shows an attendee's day at an event, whom they share it with, and the organizer's figures", async () => {
    const event = await post('/api/events', { name: `High Desert Tech Summit (end to end, ${Date.now()})`, ...SAMPLE_HOURS });
    const upload = async (route, file, contentType) =>
      send('PUT', `/api/events/${event.id}/${route}`, await readFile(path.join(SAMPLE_EVENT, file), 'utf8'), contentType);
    const areas = await upload('floor-plan', 'floor-plan.geojson', 'application/geo+json');
    const programme = await upload('programme', 'programme.ics', 'text/calendar');
    const area = (name) => areas.features.find((f) => f.properties.name === name) ?? assert.fail(`no area ${name}`);
    const talk = programme[0];
    const hall = area(talk.room);
    const booth = area('Booth C3');

    // Taco Fargo (5) and Frank Shader (6) sit side by side through 30 minutes of the first talk, Pam Trexler (1)
    // at the other end of the hall, too far to meet them; then 5 and 6 stand together at a booth for 5 minutes.
    const minutes = (time, n) => new Date(Date.parse(time) + n * 60_000).toISOString();
    const seated = [talk.start, minutes(talk.start, 30)];
    const atBooth = [minutes(talk.end, 10), minutes(talk.end, 15)];
    await sendPings([
      ...pings(5, offset(middle(hall), -6, 0.5), seated),
      ...pings(6, offset(middle(hall), -6, -0.5), seated),
      ...pings(1, offset(middle(hall), 7, 0), seated),
      ...pings(5, offset(middle(booth), -0.5, 0), atBooth),
      ...pings(6, offset(middle(booth), 0.5, 0), atBooth),
    ]);
    // The attendance consumer records the visits asynchronously.
    const shared = await eventually(
      'the attendance to be recorded',
      async () => {
        const answer = await api(`/api/persons/5/shared?event=${event.id}`);
        const entry = (id) => answer.shared.find((e) => e.person.id === id);
        const complete = entry(6)?.presentations.length === 1 && entry(6)?.booths.length === 1 && entry(1)?.presentations.length === 1;
        return complete && answer;
      },
      ATTENDANCE_TIMEOUT_MS,
    );
    const attendance = await api(`/api/persons/5/attendance?event=${event.id}`);
    assert.deepEqual(
      attendance.presentations.map((p) => p.presentation.id),
      [talk.id],
    );
    assert.deepEqual(
      attendance.booths.map((b) => b.booth.id),
      [booth.id],
    );
    assert.equal(shared.shared[0].person.id, 6, 'who shares a talk and a booth ranks above who shares a talk');

    await page.goto(`${WEB_URL}?event=${event.id}&person=5`);
    const plan = page.getByTestId('floor-plan');
    await plan.waitFor();

    // Every area is named, and as Chromium draws them no two names overlap.
    const labels = await plan.locator('.plan-label').evaluateAll((texts) =>
      texts.map((text) => {
        const { x, y, width, height } = text.getBBox();
        return { name: text.textContent, x, y, width, height };
      }),
    );
    assert.deepEqual(
      labels.map((l) => l.name).sort(),
      areas.features.map((f) => f.properties.name).sort(),
    );
    for (const [i, label] of labels.entries()) {
      for (const other of labels.slice(i + 1)) {
        assert.ok(!overlap(label, other), `the names ${label.name} and ${other.name} overlap: ${JSON.stringify([label, other])}`);
      }
    }
    const highlighted = (state) =>
      plan.locator(`.plan-area.${state}`).evaluateAll((paths) => paths.map((p) => Number(p.dataset.testid.slice('area-'.length))).sort());

    // The attended talk and the visited booth, on the timeline and on the plan.
    const talkItem = page.getByTestId(`timeline-presentation-${talk.id}`);
    assert.match(await talkItem.getAttribute('aria-label'), new RegExp(`^${escape(talk.title)}, ${talk.room}`));
    // Its name, shortened with an ellipsis where the bar and its surroundings leave too little room.
    assert.ok((await talkItem.locator('text').textContent()).startsWith(talk.title.slice(0, 10)));
    const boothItem = page.getByTestId(`timeline-booth-${booth.id}`);
    assert.match(await boothItem.getAttribute('aria-label'), new RegExp(`^${booth.properties.name} \\(${escape(booth.properties.exhibitor)}\\)`));
    await page.waitForFunction(() => document.querySelectorAll('.plan-area.is-visited').length > 0);
    assert.deepEqual(await highlighted('is-visited'), [hall.id, booth.id].sort());

    // The people shared with, as the API ranks them, each with what is shared.
    const entries = page.locator('.shared-list > li');
    await page.getByTestId('shared-6').waitFor();
    assert.deepEqual(
      await entries.evaluateAll((items) => items.map((item) => Number(item.dataset.testid.slice('shared-'.length)))),
      shared.shared.map((e) => e.person.id),
    );
    const first = page.getByTestId('shared-6');
    const text = await first.innerText();
    assert.ok(text.includes(talk.title), text);
    assert.ok(text.includes(booth.properties.name), text);
    assert.match(text, new RegExp(`\\b${shared.shared[0].score}\\s+points\\b`));

    // Choosing them shows on the plan what the two share: the hall and the booth.
    const show = first.getByRole('button', { name: /^Show on the plan/ });
    await show.click();
    assert.equal(await show.getAttribute('aria-pressed'), 'true');
    await page.waitForFunction(() => document.querySelectorAll('.plan-area.is-shared').length > 0);
    assert.deepEqual(await highlighted('is-shared'), [hall.id, booth.id].sort());
    await screenshot(page, 'event-attendee');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'event-attendee-phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    // The organizer's figures: attendees per presentation, booth visitors per hour.
    await page.getByRole('link', { name: 'Organizer' }).click();
    await page.waitForURL((url) => url.searchParams.get('section') === 'organizer');
    const statistics = await api(`/api/events/${event.id}/statistics`);
    await page.getByTestId('attendance-chart').waitFor();
    for (const { presentation, attendees } of statistics.presentations) {
      const value = page.getByTestId(`presentation-bar-${presentation.id}`).locator('.chart-value');
      assert.equal(await value.textContent(), String(attendees), presentation.title);
    }
    const talkCount = statistics.presentations.find((p) => p.presentation.id === talk.id);
    assert.ok(talkCount.attendees >= 3, `persons 1, 5 and 6 attended ${talk.title}`);
    const traffic = statistics.booth_traffic.filter((t) => t.booth.id === booth.id);
    assert.ok(traffic.length > 0, 'the booth had visitors');
    const cells = await page
      .getByTestId(`traffic-${booth.id}`)
      .locator('.heat-count')
      .evaluateAll((texts) => texts.map((t) => Number(t.textContent)));
    assert.deepEqual(cells, traffic.map((t) => t.visitors));
    // Who was there: the talk's attendees, as the API lists them.
    const attendees = await api(`/api/presentations/${talk.id}/attendees`);
    await page.getByRole('combobox', { name: /Presentation or booth/ }).selectOption({ label: talk.title });
    const list = page.getByRole('list', { name: `Attendees of ${talk.title}` });
    await list.waitFor();
    assert.deepEqual(
      await list.locator('.who-name').allTextContents(),
      attendees.attendees.map(({ person }) => `${person.first_name} ${person.last_name}`),
    );
    await screenshot(page, 'event-organizer');

    // The page opens on the latest event, which its address names, and the picker switches events.
    const events = await api('/api/events');
    await page.goto(WEB_URL);
    await page.waitForURL((url) => url.searchParams.get('event') === String(events[0].id));
    const picker = page.getByLabel('Event', { exact: true });
    assert.equal(await picker.inputValue(), String(events[0].id));
    await picker.selectOption(String(event.id));
    await page.waitForURL((url) => url.searchParams.get('event') === String(event.id));
    await page.getByRole('heading', { name: event.name, exact: true }).waitFor();
  });
});
