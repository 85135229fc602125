// The team view's chart: the median time to close per week for the last 12 weeks, per
// type. Hand-written SVG (no chart library: main.js stays small), drawn in the theme's
// contrast-checked colours; lines differ by dash as well as colour, and the figures
// are a table too, for screen readers and anyone who would rather read them.
import React from 'react';

import {formatDate, formatDuration} from '../format';
import {useAsync, useHost, useWorkflowEvents} from '../hooks';
import type {CloseTimes, CloseTimesSeries} from '../types';

import {ErrorMessage} from './common';

const W = 300;
const H = 140;
const LEFT = 44;
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 20;
const COLOURS = ['var(--dc-button-bg)', 'var(--dc-error)', 'var(--dc-success)', 'var(--dc-link)', 'var(--dc-fg)', 'var(--dc-muted)'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

const week = (ms: number) => formatDate(ms, 'UTC');
const median = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));

function stroke(i: number) {
    return {stroke: COLOURS[i % COLOURS.length], strokeDasharray: DASHES[i % DASHES.length] || undefined};
}

export default function CloseTimesChart({teamId}: {teamId: string}) {
    const {api} = useHost();
    const chart = useAsync(() => api.closeTimes(teamId), teamId);
    useWorkflowEvents((c) => {
        if (c.team_id === teamId && (c.what === 'closed' || c.what === 'reopened')) {
            chart.reload();
        }
    });
    const data = chart.data;
    return (
        <section className='dc-section' aria-labelledby='dc-chart-title'>
            <h3 id='dc-chart-title'>{'Median time to close, per week'}</h3>
            <ErrorMessage message={chart.error} onRetry={chart.reload}/>
            {data && data.series.length === 0 && <p className='dc-muted'>{'No workflows closed in the last 12 weeks.'}</p>}
            {data && data.series.length > 0 && <Chart data={data}/>}
        </section>
    );
}

function Chart({data}: {data: CloseTimes}) {
    const n = data.weeks.length;
    const values = data.series.flatMap((s) => s.median_ms.filter((v): v is number => v !== null));
    const max = Math.max(...values, 60_000);
    const x = (i: number) => LEFT + (i * (W - LEFT - RIGHT)) / Math.max(n - 1, 1);
    const y = (v: number) => TOP + (H - TOP - BOTTOM) * (1 - v / max);
    const summary = data.series.map((s) => `${s.name}: ${s.closed.reduce((a, b) => a + b, 0)} closed, ` +
        `this week's median ${median(s.median_ms[n - 1])}`).join('; ');
    return (
        <>
            <svg
                className='dc-chart'
                viewBox={`0 0 ${W} ${H}`}
                role='img'
                aria-label={`Median time to close per week, the last ${n} weeks. ${summary}. Every figure is in the table under Figures.`}
            >
                <line x1={LEFT} x2={W - RIGHT} y1={y(0)} y2={y(0)} className='dc-chart-axis'/>
                <line x1={LEFT} x2={W - RIGHT} y1={y(max)} y2={y(max)} className='dc-chart-grid'/>
                <text x={LEFT - 4} y={y(max) + 4} textAnchor='end'>{formatDuration(max)}</text>
                <text x={LEFT - 4} y={y(0)} textAnchor='end'>{'0'}</text>
                <text x={LEFT} y={H - 4}>{week(data.weeks[0])}</text>
                <text x={W - RIGHT} y={H - 4} textAnchor='end'>{'this week'}</text>
                {data.series.map((s, i) => <Line key={s.type} series={s} index={i} x={x} y={y}/>)}
            </svg>
            <ul className='dc-legend'>
                {data.series.map((s, i) => (
                    <li key={s.type}>
                        <svg width='24' height='8' aria-hidden='true'><line x1='0' x2='24' y1='4' y2='4' {...stroke(i)}/></svg>
                        {s.name}
                    </li>
                ))}
            </ul>
            <details>
                <summary>{'Figures'}</summary>
                <table className='dc-table'>
                    <caption className='dc-sr-only'>{'Median time to close and number closed, per week (weeks start on Monday, UTC)'}</caption>
                    <thead>
                        <tr>
                            <th scope='col'>{'Week of'}</th>
                            {data.series.map((s) => <th key={s.type} scope='col'>{s.name}</th>)}
                        </tr>
                    </thead>
                    <tbody>
                        {data.weeks.map((at, w) => (
                            <tr key={at}>
                                <th scope='row'>{week(at)}</th>
                                {data.series.map((s) => (
                                    <td key={s.type}>{s.closed[w] ? `${median(s.median_ms[w])} (${s.closed[w]})` : '—'}</td>
                                ))}
                            </tr>
                        ))}
                    </tbody>
                </table>
            </details>
        </>
    );
}

// One type's line: segments between weeks that have a median, a dot on each.
function Line({series, index, x, y}: {series: CloseTimesSeries; index: number; x(i: number): number; y(v: number): number}) {
    let d = '';
    let drawing = false;
    series.median_ms.forEach((v, i) => {
        if (v === null) {
            drawing = false;
            return;
        }
        d += `${drawing ? 'L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
        drawing = true;
    });
    const s = stroke(index);
    return (
        <g>
            <path d={d} fill='none' strokeWidth='2' {...s}/>
            {series.median_ms.map((v, i) => (v === null ? null : <circle key={i} cx={x(i)} cy={y(v)} r='2.5' fill={s.stroke}/>))}
        </g>
    );
}
