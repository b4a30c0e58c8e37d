// First: the runtime worker starts loading onnxruntime while the rest of the bundle evaluates.
import { takeRuntime } from './app/runtime-early.ts';
import { BrowserDeviceApp } from './app/browser-device-app.ts';
import './ui/tinylcm-app.ts';

// One DeviceApp per page. Only production builds have a service worker: in development it would serve stale modules.
const app = new BrowserDeviceApp({
  serviceWorker: import.meta.env.PROD && 'serviceWorker' in navigator,
  runtime: takeRuntime,
});
document.querySelector('tinylcm-app')!.app = app;
