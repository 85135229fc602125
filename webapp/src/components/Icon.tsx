import React from 'react';

// Two linked loops: work handed from one discipline to the next and back.
const PATH = 'M14 32c0-6 4.5-10 10-10 8 0 8 20 16 20 5.5 0 10-4 10-10s-4.5-10-10-10c-8 0-8 20-16 20-5.5 0-10-4-10-10z';

// The channel header button takes the header's own colour, so it suits any theme.
export default function ChannelHeaderIcon() {
    return (
        <svg width='18' height='18' viewBox='0 0 64 64' aria-hidden='true' focusable='false'>
            <path d={PATH} fill='none' stroke='currentColor' strokeWidth='6' strokeLinecap='round'/>
        </svg>
    );
}

// The App Bar wants an image URL; a data: URL avoids depending on where the server serves assets.
const APP_BAR_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#1c58d9"/><path d="${PATH}" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round"/></svg>`;
export const APP_BAR_ICON = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(APP_BAR_SVG)}`;
