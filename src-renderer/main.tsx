import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { installBrowserBridge } from './browser-bridge';
import './styles.css';
import { initialiseTheme } from './theme';

// Electron's preload exposes window.proofdesk; in a browser (`proofdesk serve`) the twin's bridge does.
if (!('proofdesk' in window)) installBrowserBridge();
initialiseTheme();

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
