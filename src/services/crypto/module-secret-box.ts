import type { SecretBox } from './secret-box.js';

/** The core's secret box with every value bound to `moduleName`, so one module cannot open another's values. */
export function moduleSecretBox(box: SecretBox, moduleName: string): SecretBox {
  const bind = (context = '') => `module:${moduleName}:${context}`;
  return {
    seal: (plaintext: string, context?: string) => box.seal(plaintext, bind(context)),
    open: (sealed: string, context?: string) => box.open(sealed, bind(context)),
    isSealed: (value: string) => box.isSealed(value),
  };
}
