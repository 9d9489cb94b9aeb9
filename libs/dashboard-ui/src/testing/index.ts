export * from './headless-chromium';
