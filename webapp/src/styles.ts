// One small stylesheet, scoped by the dc- prefix. The panel's colours are the --dc-*
// properties that theme.ts derives from the host theme's variables for contrast (the
// panel sets them on its root), so light, dark and custom themes all stay readable.
// Meaning never rests on colour alone: every coloured mark has words next to it.
const fg = 'var(--dc-fg)';
const fgA = (a: number) => `rgba(var(--center-channel-color-rgb, 63, 67, 80), ${a})`;
export const CSS = `
.dc-panel { color: ${fg}; background: var(--dc-bg); padding: 12px 16px 24px; font-size: 14px; line-height: 20px; overflow-y: auto; height: 100%; box-sizing: border-box; }
.dc-panel h2 { font-size: 18px; line-height: 24px; margin: 0; font-weight: 600; }
.dc-panel h3 { font-size: 14px; margin: 0; font-weight: 600; }
.dc-panel :focus-visible { outline: 2px solid var(--dc-focus); outline-offset: 2px; }
/* Headings, lists and the panel itself take focus only by script, to keep the reader's place; they are not controls. */
.dc-panel:focus, .dc-panel [tabindex='-1']:focus { outline: none; }
.dc-sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
.dc-panel a { color: var(--dc-link); }
.dc-panel ol, .dc-panel ul { list-style: none; margin: 0; padding: 0; }
.dc-muted { color: var(--dc-muted); }
.dc-small { font-size: 12px; }
.dc-section { border-top: 1px solid ${fgA(0.12)}; padding: 12px 0; }
.dc-section-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; margin-bottom: 8px; }
.dc-wf-header { padding-bottom: 12px; }
.dc-wf-title, .dc-status-text, .dc-event-summary, .dc-task label, .dc-error { overflow-wrap: anywhere; }
.dc-status-text { white-space: pre-wrap; margin: 0 0 4px; }
.dc-badges { display: flex; flex-wrap: wrap; gap: 4px; margin: 6px 0; }
.dc-badge { display: inline-block; max-width: 100%; padding: 0 6px; border-radius: 4px; font-size: 12px; line-height: 18px; background: ${fgA(0.08)}; border: 1px solid ${fgA(0.16)}; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.dc-badge-severity { border-color: var(--dc-error); }
.dc-badge-private { border-style: dashed; }
.dc-facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0 0; }
.dc-facts dt { color: var(--dc-muted); }
.dc-facts dd { margin: 0; overflow-wrap: anywhere; }
.dc-facts dd.dc-overdue { color: var(--dc-error); }
.dc-stage { padding: 4px 0; }
.dc-stage-marker { display: inline-block; width: 18px; }
.dc-stage-current .dc-stage-name { font-weight: 600; }
.dc-stage-done .dc-stage-marker { color: var(--dc-success); }
.dc-panel .dc-gate { margin-left: 18px; font-size: 12px; }
.dc-gate-waiting { color: var(--dc-muted); }
.dc-tasks .dc-task { display: flex; gap: 8px; align-items: flex-start; padding: 4px 0; }
.dc-task input { margin-top: 3px; accent-color: var(--dc-button-bg); }
.dc-task-done label { text-decoration: line-through; color: var(--dc-muted); }
.dc-task-overdue .dc-small { color: var(--dc-error); }
.dc-roster .dc-person { display: flex; flex-direction: column; padding: 4px 0; }
.dc-person-name { font-weight: 600; overflow-wrap: anywhere; }
.dc-person-meta, .dc-hours { font-size: 12px; }
.dc-dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; border: 1px solid var(--dc-border); }
.dc-hours-in .dc-dot { background: var(--dc-success); border-color: var(--dc-success); }
.dc-event { display: flex; flex-direction: column; padding: 4px 0; border-bottom: 1px solid ${fgA(0.08)}; }
.dc-list-item { padding: 8px 0; border-bottom: 1px solid ${fgA(0.08)}; min-width: 0; }
.dc-list-title { display: block; font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.dc-filters { display: flex; flex-direction: column; gap: 4px; margin: 8px 0 12px; }
.dc-form, .dc-inline-form { display: flex; flex-direction: column; gap: 4px; margin-top: 8px; }
.dc-row { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; }
.dc-row label { display: flex; align-items: center; gap: 4px; }
.dc-check { display: flex; align-items: center; gap: 6px; }
.dc-actions { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-top: 8px; }
.dc-input { color: ${fg}; background: var(--dc-bg); border: 1px solid var(--dc-border); border-radius: 4px; padding: 4px 8px; font: inherit; box-sizing: border-box; max-width: 100%; }
textarea.dc-input { resize: vertical; }
.dc-button { background: var(--dc-button-bg); color: var(--dc-button-fg); border: 1px solid var(--dc-button-bg); border-radius: 4px; padding: 4px 12px; font: inherit; font-weight: 600; cursor: pointer; align-self: flex-start; }
.dc-button-secondary { background: transparent; color: var(--dc-accent); border-color: var(--dc-accent); }
.dc-button-danger { background: var(--dc-danger-bg); color: var(--dc-danger-fg); border-color: var(--dc-danger-bg); }
/* A busy button stays enabled and focusable (disabling it would drop focus); it only says so. */
.dc-button[aria-disabled='true'] { cursor: progress; }
.dc-button:disabled { cursor: default; }
.dc-link-button { background: none; border: none; padding: 0 4px; color: var(--dc-link); font: inherit; cursor: pointer; text-decoration: underline; }
.dc-error { color: var(--dc-error); margin: 6px 0; }
.dc-warning { margin: 4px 0; font-weight: 600; }
.dc-notice { margin: 8px 0; }
.dc-widget { padding: 4px 16px 8px; }
.dc-widget-button { display: flex; flex-wrap: wrap; gap: 4px 8px; width: 100%; text-align: left; background: rgba(var(--sidebar-text-rgb, 255, 255, 255), 0.08); color: var(--sidebar-text, #fff); border: 1px solid rgba(var(--sidebar-text-rgb, 255, 255, 255), 0.16); border-radius: 4px; padding: 4px 8px; font: inherit; font-size: 12px; cursor: pointer; }
.dc-widget-button:focus-visible { outline: 2px solid var(--sidebar-text, #fff); }
.dc-widget-label { font-weight: 600; }
/* The System Console's checked settings: the check reads in the console's own colours, made legible like the panel's. */
.dc-settings { color: var(--dc-fg); }
.dc-settings-input { font-family: monospace; resize: vertical; }
.dc-settings-check { margin-top: 8px; color: var(--dc-fg); }
.dc-settings-check .dc-facts { margin-top: 4px; }
.dc-settings-error { color: var(--dc-error); margin: 4px 0 0; white-space: pre-wrap; }
/* The team view's close-times chart. */
.dc-chart { display: block; width: 100%; height: auto; margin: 4px 0; }
.dc-chart text { fill: var(--dc-muted); font-size: 10px; }
.dc-chart-axis, .dc-chart-grid { stroke: var(--dc-border); }
.dc-chart-grid { stroke-dasharray: 2 3; }
.dc-panel .dc-legend { display: flex; flex-wrap: wrap; gap: 2px 12px; font-size: 12px; }
.dc-legend li { display: flex; align-items: center; gap: 4px; }
.dc-table { border-collapse: collapse; font-size: 12px; margin-top: 4px; }
.dc-table th, .dc-table td { text-align: left; padding: 2px 8px 2px 0; font-weight: normal; }
.dc-table thead th, .dc-table tbody th { font-weight: 600; }
`;

const STYLE_ID = 'devops-channels-styles';

export function injectStyles(doc: Document = document) {
    if (doc.getElementById(STYLE_ID)) {
        return;
    }
    const style = doc.createElement('style');
    style.id = STYLE_ID;
    style.textContent = CSS;
    doc.head.appendChild(style);
}
