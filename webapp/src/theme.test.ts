import {contrast, NON_TEXT_CONTRAST, palette, parseColor, TEXT_CONTRAST, THEME_DEFAULTS} from './theme';
import type {RGB, ThemeColors} from './theme';

// Mattermost's built-in Denim (light) and Onyx (dark), as the web app sets them.
const DENIM: ThemeColors = THEME_DEFAULTS;
const ONYX: ThemeColors = {
    'center-channel-bg': '#191b1f',
    'center-channel-color': '#e3e4e8',
    'button-bg': '#1c58d9',
    'button-color': '#ffffff',
    'link-color': '#5d89ea',
    'error-text': '#da6c6e',
    'online-indicator': '#3db887',
};
// A custom theme that picks for looks: pale grey text, a yellow button with white text.
const GARISH: ThemeColors = {
    'center-channel-bg': '#f4f4f4',
    'center-channel-color': '#9a9a9a',
    'button-bg': '#ffd400',
    'button-color': '#ffffff',
    'link-color': '#7fb2ff',
    'error-text': '#ff8080',
    'online-indicator': '#a0ffa0',
};

const rgb = (css: string) => parseColor(css) as RGB;

// Which colour sits on which, and the ratio WCAG asks of the pair.
const PAIRS: Array<[string, string, number]> = [
    ['--dc-fg', '--dc-bg', TEXT_CONTRAST],
    ['--dc-muted', '--dc-bg', TEXT_CONTRAST],
    ['--dc-accent', '--dc-bg', TEXT_CONTRAST],
    ['--dc-link', '--dc-bg', TEXT_CONTRAST],
    ['--dc-error', '--dc-bg', TEXT_CONTRAST],
    ['--dc-success', '--dc-bg', TEXT_CONTRAST],
    ['--dc-button-fg', '--dc-button-bg', TEXT_CONTRAST],
    ['--dc-danger-fg', '--dc-danger-bg', TEXT_CONTRAST],
    ['--dc-border', '--dc-bg', NON_TEXT_CONTRAST],
    ['--dc-focus', '--dc-bg', NON_TEXT_CONTRAST],
    ['--dc-button-bg', '--dc-bg', NON_TEXT_CONTRAST],
    ['--dc-danger-bg', '--dc-bg', NON_TEXT_CONTRAST],
];

describe.each([['Denim', DENIM], ['Onyx', ONYX], ['a garish custom theme', GARISH]])('in %s', (_, theme) => {
    const colours = palette(theme);
    test.each(PAIRS)('%s on %s meets %d:1', (fg, bg, ratio) => {
        expect(contrast(rgb(colours[fg]), rgb(colours[bg]))).toBeGreaterThanOrEqual(ratio);
    });
});

test('the ratios the issue measured are what the raw theme colours give', () => {
    // Why the palette exists: these fail as the themes define them.
    expect(contrast(rgb('#d24b4e'), rgb('#ffffff'))).toBeCloseTo(4.32, 2);
    expect(contrast(rgb('#1c58d9'), rgb('#191b1f'))).toBeCloseTo(2.83, 2);
});

test('a colour that already passes is kept as the theme has it', () => {
    const colours = palette(DENIM);
    expect(colours['--dc-bg']).toBe('rgb(255, 255, 255)');
    expect(colours['--dc-fg']).toBe('rgb(63, 67, 80)');
    expect(colours['--dc-accent']).toBe('rgb(28, 88, 217)');
    expect(colours['--dc-button-fg']).toBe('rgb(255, 255, 255)');
    // The failing red moves only a little, towards the text colour.
    expect(colours['--dc-error']).not.toBe('rgb(210, 75, 78)');
    expect(contrast(rgb(colours['--dc-error']), rgb('#d24b4e'))).toBeLessThan(1.2);
});

test('secondary text stays lighter than the main text', () => {
    for (const theme of [DENIM, ONYX]) {
        const colours = palette(theme);
        const bg = rgb(colours['--dc-bg']);
        expect(contrast(rgb(colours['--dc-muted']), bg)).toBeLessThan(contrast(rgb(colours['--dc-fg']), bg));
    }
});

test('reads hex, short hex and rgb() and refuses the rest', () => {
    expect(parseColor('#1c58d9')).toEqual([28, 88, 217]);
    expect(parseColor('#fff')).toEqual([255, 255, 255]);
    expect(parseColor(' rgb(25, 27, 31) ')).toEqual([25, 27, 31]);
    expect(parseColor('rgba(25 27 31 / 50%)')).toEqual([25, 27, 31]);
    expect(parseColor('blue')).toBeNull();
    // An unreadable variable falls back to Denim's value instead of breaking the panel.
    expect(palette({...DENIM, 'center-channel-bg': 'var(--x)'})['--dc-bg']).toBe('rgb(255, 255, 255)');
});
