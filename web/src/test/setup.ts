import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

// jsdom lays nothing out, so it cannot scroll either.
Element.prototype.scrollIntoView = () => {};
