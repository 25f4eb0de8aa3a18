import { describe, expect, it } from 'vitest';
import { centroid, layout, project, roundLength, scaleBar } from './geo';

const venue = { latitude: 37.55363, longitude: -122.290883 };

describe('project', () => {
  it('puts 0.001° of latitude about 111 m north (up, so y < 0)', () => {
    const p = project({ latitude: venue.latitude + 0.001, longitude: venue.longitude }, venue);
    expect(p.x).toBeCloseTo(0, 9);
    expect(p.y).toBeCloseTo(-111.195, 2);
  });

  it('shrinks longitude by the cosine of the latitude', () => {
    const origin = { latitude: 60, longitude: 10 };
    const p = project({ latitude: 60, longitude: 10.002 }, origin);
    expect(p.x).toBeCloseTo(111.195, 2);
    expect(p.y).toBeCloseTo(0, 9);
  });

  it('centres on the mean position', () => {
    expect(centroid([{ latitude: 1, longitude: 2 }, { latitude: 3, longitude: 4 }])).toEqual({ latitude: 2, longitude: 3 });
  });
});

describe('scale bar', () => {
  it.each([
    [1, 1],
    [1.9, 2],
    [3, 2],
    [37, 50],
    [50, 50],
    [80, 100],
    [0.7, 0.5],
    [1234, 1000],
  ])('the round length nearest %s m is %s m', (target, length) => {
    expect(roundLength(target)).toBe(length);
  });

  it('is about a fifth of the width, with a round label', () => {
    expect(scaleBar(640, 0.1)).toEqual({ meters: 10, pixels: 100, label: '10 m' });
    expect(scaleBar(640, 10)).toEqual({ meters: 1000, pixels: 100, label: '1 km' });
  });
});

describe('layout', () => {
  const viewport = { width: 640, height: 400, padding: 40, minExtent: 50 };

  it('shows a single spot at the centre, over at least the minimum extent', () => {
    const { positions, metersPerPixel } = layout([venue, venue, venue], viewport);
    expect(positions).toEqual(Array(3).fill({ x: 320, y: 200 }));
    expect(metersPerPixel).toBeCloseTo(50 / 320);
    expect(scaleBar(640, metersPerPixel).label).toBe('20 m');
  });

  it('keeps north up and one scale for both axes', () => {
    const north = { latitude: venue.latitude + 0.001, longitude: venue.longitude };
    const east = { latitude: venue.latitude, longitude: venue.longitude + 0.001 };
    const { positions, metersPerPixel } = layout([venue, north, east], viewport);
    const [v, n, e] = positions;
    expect(n.y).toBeLessThan(v.y);
    expect(e.x).toBeGreaterThan(v.x);
    expect((v.y - n.y) * metersPerPixel).toBeCloseTo(111.195, 2);
    expect((e.x - v.x) * metersPerPixel).toBeCloseTo(111.195 * Math.cos((venue.latitude * Math.PI) / 180), 1);
    // Everything inside the padded viewport.
    for (const p of positions) {
      expect(p.x).toBeGreaterThanOrEqual(40);
      expect(p.x).toBeLessThanOrEqual(600);
      expect(p.y).toBeGreaterThanOrEqual(40);
      expect(p.y).toBeLessThanOrEqual(360);
    }
  });
});
