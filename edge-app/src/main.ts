import { BrowserDeviceApp } from './app/browser-device-app.ts';
import './ui/tinylcm-app.ts';

// One DeviceApp per page. Only production builds have a service worker: in development it would serve stale modules.
const app = new BrowserDeviceApp({ serviceWorker: import.meta.env.PROD && 'serviceWorker' in navigator });
document.querySelector('tinylcm-app')!.app = app;
