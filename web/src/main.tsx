import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClient, resolveApiUrl } from './api';
import { App } from './App';
import './styles.css';

// The API's address is known only at run time (`/config.json`), so it is
// looked up before the page first renders.
const api = new ApiClient(await resolveApiUrl());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} />
  </StrictMode>,
);
