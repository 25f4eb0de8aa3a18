// An event as the API describes it, for the components' tests: two halls
// and two booths in a row, two presentations, and one attendee's day.

import type { Area, Attendance, Event, EventStatistics, FloorPlan, Person, SharedPage, SharedWith } from '../api';

export const EVENT: Event = {
  id: 7,
  name: 'High Desert Tech Summit 2020',
  start: '2020-08-18T14:55:00Z',
  end: '2020-08-18T19:25:00Z',
  time_zone: 'America/Denver',
};

const ORIGIN = { lat: 35.0584597, lon: -106.5725712 };

/** A rectangle `width` × `height` metres, its south-west corner `east`, `north` metres from the origin. */
function rectangle(
  id: number,
  name: string,
  kind: 'room' | 'booth',
  east: number,
  north: number,
  width: number,
  height: number,
): Area {
  const lat = (m: number) => ORIGIN.lat + m / 111_195;
  const lon = (m: number) => ORIGIN.lon + m / (111_195 * Math.cos((ORIGIN.lat * Math.PI) / 180));
  const [w, s, e, n] = [lon(east), lat(north), lon(east + width), lat(north + height)];
  return {
    type: 'Feature',
    id,
    properties: { name, kind, exhibitor: kind === 'booth' ? `${name.slice(-2)} Analytics` : null },
    geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] },
  };
}

export const PLAN: FloorPlan = {
  type: 'FeatureCollection',
  features: [
    rectangle(11, 'Booth A1', 'booth', 2, 20, 4, 4),
    rectangle(12, 'Booth A2', 'booth', 9, 20, 4, 4),
    rectangle(1, 'Hall A', 'room', 0, 0, 20, 15),
    rectangle(2, 'Hall B', 'room', 23, 0, 20, 15),
  ],
};

export const person = (id: number, first_name: string, last_name: string): Person => ({
  id,
  first_name,
  last_name,
  company_name: `${last_name} Ltd`,
});

export const TACO = person(5, 'Taco', 'Fargo');

const presentation = (id: number, title: string, room: string, room_id: number, start: string, end: string) => ({
  id,
  event_id: EVENT.id,
  title,
  speakers: ['Ada Lovelace'],
  room,
  room_id,
  start,
  end,
  uid: null,
});

export const TALKS = [
  presentation(101, 'Chaos Engineering on a Shoestring', 'Hall A', 1, '2020-08-18T15:00:00Z', '2020-08-18T15:35:00Z'),
  presentation(102, 'Evaluating Models Beyond Accuracy', 'Hall B', 2, '2020-08-18T15:00:00Z', '2020-08-18T15:35:00Z'),
];

export const ATTENDANCE: Attendance = {
  person: TACO,
  event: EVENT,
  presentations: [
    { presentation: TALKS[0], minutes_present: 30, arrived: '2020-08-18T15:00:00Z', left: '2020-08-18T15:30:00Z' },
  ],
  booths: [
    {
      booth: { id: 12, name: 'Booth A2', exhibitor: 'A2 Analytics' },
      minutes_present: 5,
      visits: 1,
      first_arrived: '2020-08-18T15:45:00Z',
      last_left: '2020-08-18T15:50:00Z',
    },
  ],
};

export function sharedWith(
  other: Person,
  score: number,
  shares: { talk?: boolean; booth?: boolean; meetings?: number },
): SharedWith {
  return {
    person: other,
    score,
    presentations: shares.talk ? [{ id: 101, title: TALKS[0].title, room: 'Hall A', start: TALKS[0].start }] : [],
    booths: shares.booth ? [{ id: 12, name: 'Booth A2', exhibitor: 'A2 Analytics' }] : [],
    meetings: Array.from({ length: shares.meetings ?? 0 }, (_, i) => ({
      start: `2020-08-18T15:0${i}:00Z`,
      end: `2020-08-18T15:0${i}:30Z`,
      duration_seconds: 30,
      latitude: ORIGIN.lat,
      longitude: ORIGIN.lon,
      closest_meters: 1,
      encounters: 3,
    })),
  };
}

export const SHARED: SharedPage = {
  shared: [
    sharedWith(person(6, 'Frank', 'Shader'), 5, { talk: true, booth: true, meetings: 2 }),
    sharedWith(person(1, 'Pam', 'Trexler'), 3, { talk: true }),
  ],
  next_cursor: null,
};

export const STATISTICS: EventStatistics = {
  presentations: [
    { presentation: TALKS[0], attendees: 3 },
    { presentation: TALKS[1], attendees: 0 },
  ],
  booth_traffic: [
    { booth: { id: 12, name: 'Booth A2', exhibitor: 'A2 Analytics' }, hour: '2020-08-18T15:00:00Z', visitors: 2 },
    { booth: { id: 11, name: 'Booth A1', exhibitor: 'A1 Analytics' }, hour: '2020-08-18T16:00:00Z', visitors: 1 },
  ],
};
