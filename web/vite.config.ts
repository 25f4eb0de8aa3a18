import { defineConfig } from 'vitest/config';

// No React plugin: Vite's own TypeScript transform (Oxc) compiles TSX with
// the automatic JSX runtime, which is all the page needs.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', target: 'es2022' },
  test: {
    environment: 'jsdom',
    setupFiles: ['src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
