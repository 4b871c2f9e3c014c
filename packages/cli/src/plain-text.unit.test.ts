import { describe, expect, it } from 'vitest';
import { plainText, terminalSafe } from './plain-text.js';

const HOSTILE =
  'Warehouse\u001b]0;pwned\u0007 "X"\u001b[2J\u001b[H does not exist\u009b31m\r\n\tsee \u001b]52;c;ZXZpbA==\u0007log';

describe('plainText and terminalSafe', () => {
  it('drop control characters (escape sequences lose their ESC, BEL, CSI), keep line breaks', () => {
    const plain = plainText(HOSTILE);
    expect(plain).toBe('Warehouse]0;pwned "X"[2J[H does not exist31m\n see ]52;c;ZXZpbA==log');
    expect(plainText(plain)).toBe(plain);
  });

  it('terminalSafe keeps colour (SGR) sequences only', () => {
    const line = `\u001b[31merror:\u001b[39m ${HOSTILE}`;
    expect(terminalSafe(line)).toBe(
      `\u001b[31merror:\u001b[39m Warehouse]0;pwned "X"[2J[H does not exist31m\n see ]52;c;ZXZpbA==log`,
    );
  });
});
