// The panel's colours, derived from whatever Mattermost theme is in force so that text
// meets WCAG 1.4.3 (4.5:1) and controls, borders and the focus ring meet 1.4.11 (3:1)
// against the panel's background. Built-in and custom themes pick their colours for
// looks, not contrast (Denim's error red is 4.32:1 on white, Onyx's button blue 2.83:1
// on its background), so each colour starts from its theme variable and is mixed
// towards a stronger one only as far as the ratio needs: the theme still shows through.
import {useEffect, useMemo, useState} from 'react';

import {useHost} from './hooks';

export type RGB = readonly [number, number, number];

// The theme variables the panel reads, with Denim's values for a host that sets none.
export const THEME_DEFAULTS = {
    'center-channel-bg': '#ffffff',
    'center-channel-color': '#3f4350',
    'button-bg': '#1c58d9',
    'button-color': '#ffffff',
    'link-color': '#386fe5',
    'error-text': '#d24b4e',
    'online-indicator': '#3db887',
};

export type ThemeVariable = keyof typeof THEME_DEFAULTS;
export type ThemeColors = Record<ThemeVariable, string>;

export const TEXT_CONTRAST = 4.5;
export const NON_TEXT_CONTRAST = 3;
// Rounding to whole channels and other tools' arithmetic must not tip a colour under the line.
const MARGIN = 0.1;
const BLACK: RGB = [0, 0, 0];
const WHITE: RGB = [255, 255, 255];

export function parseColor(value: string): RGB | null {
    const s = value.trim().toLowerCase();
    const short = s.match(/^#([0-9a-f])([0-9a-f])([0-9a-f])$/);
    if (short) {
        return [parseInt(short[1] + short[1], 16), parseInt(short[2] + short[2], 16), parseInt(short[3] + short[3], 16)];
    }
    let m = s.match(/^#([0-9a-f]{6})(?:[0-9a-f]{2})?$/);
    if (m) {
        const n = parseInt(m[1], 16);
        return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    }
    m = s.match(/^rgba?\(\s*(\d+(?:\.\d+)?)[\s,]+(\d+(?:\.\d+)?)[\s,]+(\d+(?:\.\d+)?)/);
    if (m) {
        return [Number(m[1]), Number(m[2]), Number(m[3])].map((c) => Math.min(255, Math.round(c))) as unknown as RGB;
    }
    return null;
}

export function toCSS([r, g, b]: RGB): string {
    return `rgb(${r}, ${g}, ${b})`;
}

function luminance([r, g, b]: RGB): number {
    const lin = (c: number) => {
        const s = c / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return (0.2126 * lin(r)) + (0.7152 * lin(g)) + (0.0722 * lin(b));
}

export function contrast(a: RGB, b: RGB): number {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
}

// mix returns `weight` of `to` blended into `from`, in whole sRGB channels.
export function mix(from: RGB, to: RGB, weight: number): RGB {
    return from.map((c, i) => Math.round(c + ((to[i] - c) * weight))) as unknown as RGB;
}

// The pole (black or white) that stands out most against a background.
function farthest(bg: RGB): RGB {
    return contrast(BLACK, bg) >= contrast(WHITE, bg) ? BLACK : WHITE;
}

// ensureContrast keeps a colour if it already stands out enough against bg, and
// otherwise mixes in as little of `toward` (by default the stronger pole) as it takes.
export function ensureContrast(color: RGB, bg: RGB, ratio: number, toward: RGB = farthest(bg)): RGB {
    const target = ratio + MARGIN;
    if (contrast(color, bg) >= target) {
        return color;
    }
    if (contrast(toward, bg) < target) {
        toward = farthest(bg);
    }
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 20; i++) {
        const mid = (lo + hi) / 2;
        if (contrast(mix(color, toward, mid), bg) >= target) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    return mix(color, toward, hi);
}

// soften fades a colour towards bg by up to `weight`, no further than the ratio allows:
// secondary text that reads as secondary and still passes.
export function soften(color: RGB, bg: RGB, weight: number, ratio: number): RGB {
    const strong = ensureContrast(color, bg, ratio);
    let lo = 0;
    let hi = weight;
    if (contrast(mix(strong, bg, hi), bg) >= ratio + MARGIN) {
        return mix(strong, bg, hi);
    }
    for (let i = 0; i < 20; i++) {
        const mid = (lo + hi) / 2;
        if (contrast(mix(strong, bg, mid), bg) >= ratio + MARGIN) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return mix(strong, bg, lo);
}

// The better of two text colours on a fill, then made good enough.
function textOn(fill: RGB, ...candidates: RGB[]): RGB {
    const best = candidates.reduce((a, b) => (contrast(b, fill) > contrast(a, fill) ? b : a));
    return ensureContrast(best, fill, TEXT_CONTRAST);
}

// The panel's palette as CSS custom properties; styles.ts uses only these.
export function palette(theme: ThemeColors): Record<string, string> {
    const read = (name: ThemeVariable) => parseColor(theme[name]) ?? (parseColor(THEME_DEFAULTS[name]) as RGB);
    const bg = read('center-channel-bg');
    const fg = ensureContrast(read('center-channel-color'), bg, TEXT_CONTRAST);
    const accent = ensureContrast(read('button-bg'), bg, TEXT_CONTRAST, fg);
    const buttonBg = ensureContrast(read('button-bg'), bg, NON_TEXT_CONTRAST);
    const error = ensureContrast(read('error-text'), bg, TEXT_CONTRAST, fg);
    const dangerBg = ensureContrast(read('error-text'), bg, NON_TEXT_CONTRAST);
    return {
        '--dc-bg': toCSS(bg),
        '--dc-fg': toCSS(fg),
        // Labels, timestamps, "(current)": the 72 % the panel always used, where it passes.
        '--dc-muted': toCSS(soften(fg, bg, 0.28, TEXT_CONTRAST)),
        '--dc-border': toCSS(soften(fg, bg, 0.76, NON_TEXT_CONTRAST)),
        '--dc-accent': toCSS(accent),
        '--dc-link': toCSS(ensureContrast(read('link-color'), bg, TEXT_CONTRAST, fg)),
        '--dc-error': toCSS(error),
        '--dc-success': toCSS(ensureContrast(read('online-indicator'), bg, TEXT_CONTRAST, fg)),
        '--dc-focus': toCSS(accent),
        '--dc-button-bg': toCSS(buttonBg),
        '--dc-button-fg': toCSS(textOn(buttonBg, read('button-color'), bg, fg)),
        '--dc-danger-bg': toCSS(dangerBg),
        '--dc-danger-fg': toCSS(textOn(dangerBg, read('button-color'), bg, fg)),
    };
}

function readTheme(): ThemeColors {
    const style = getComputedStyle(document.documentElement);
    const out = {...THEME_DEFAULTS};
    for (const name of Object.keys(THEME_DEFAULTS) as ThemeVariable[]) {
        out[name] = style.getPropertyValue(`--${name}`).trim() || THEME_DEFAULTS[name];
    }
    return out;
}

// The palette for the theme in force, recomputed when the host switches themes. The web
// app applies a theme by rewriting the page's variables after its store changes, so both
// are watched, and the read waits a frame for the variables to land.
export function usePalette(): Record<string, string> {
    const {store} = useHost();
    const [theme, setTheme] = useState(readTheme);
    useEffect(() => {
        let frame = 0;
        const refresh = () => {
            cancelAnimationFrame(frame);
            frame = requestAnimationFrame(() => setTheme((prev) => {
                const next = readTheme();
                return JSON.stringify(next) === JSON.stringify(prev) ? prev : next;
            }));
        };
        const observer = new MutationObserver(refresh);
        observer.observe(document.documentElement, {attributes: true, attributeFilter: ['style', 'class', 'data-theme']});
        observer.observe(document.head, {childList: true, subtree: true, characterData: true});
        let preferences = store.getState().entities?.preferences;
        const unsubscribe = store.subscribe(() => {
            const next = store.getState().entities?.preferences;
            if (next !== preferences) {
                preferences = next;
                refresh();
            }
        });
        return () => {
            cancelAnimationFrame(frame);
            observer.disconnect();
            unsubscribe();
        };
    }, [store]);
    return useMemo(() => palette(theme), [theme]);
}
