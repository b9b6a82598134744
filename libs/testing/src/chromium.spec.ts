import { findChromium } from './chromium';

describe('finding the Chromium a browser test drives', () => {
  it('takes CHROMIUM_PATH when it names an executable', () => {
    expect(findChromium({ CHROMIUM_PATH: process.execPath })).toBe(process.execPath);
  });
  it('refuses a CHROMIUM_PATH that is not executable rather than falling back to another browser', () => {
    expect(findChromium({ CHROMIUM_PATH: '/nonexistent/chromium' })).toBeUndefined();
  });
});
