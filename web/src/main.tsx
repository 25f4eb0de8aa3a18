import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { resolveApiUrl } from './api';
import { Root } from './Root';
import './styles.css';

// The API's address is known only at run time (`/config.json`), so it is
// looked up before the page first renders.
const apiUrl = await resolveApiUrl();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root apiUrl={apiUrl} />
  </StrictMode>,
);
