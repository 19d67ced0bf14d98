/** Browsers by the token their User-Agent carries, most specific first (Edge and Opera also say Chrome). */
const browsers: Array<[RegExp, string]> = [
  [/Edg\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)/, 'Opera'],
  [/SamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/Firefox\/(\d+)/, 'Firefox'],
  [/HeadlessChrome\/(\d+)/, 'Headless Chrome'],
  [/Chrom(?:e|ium)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[.\d]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
];
const systems: Array<[RegExp, string]> = [
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/iPhone|iPad/, 'iOS'],
  [/Web0S|webOS/, 'webOS'],
  [/Tizen/, 'Tizen'],
  [/Mac OS X/, 'macOS'],
  [/Windows/, 'Windows'],
  [/Linux|X11/, 'Linux'],
];

/**
 * A display's browser in a few words for the Displays page ("Chrome 131 on Linux"): enough to tell the Pi from the
 * TV. Anything unrecognised is shown as it came, cut short.
 */
export function browserLabel(userAgent: string): string {
  if (userAgent === '') return 'unknown';
  const browser = browsers.find(([pattern]) => pattern.test(userAgent));
  const system = systems.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (!browser) return userAgent.length > 60 ? `${userAgent.slice(0, 59)}…` : userAgent;
  const version = browser[0].exec(userAgent)?.[1];
  return `${browser[1]} ${version}${system ? ` on ${system}` : ''}`;
}
