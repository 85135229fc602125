// One small stylesheet, scoped by the dc- prefix and built on the host theme's CSS
// variables so light, dark and custom themes all stay readable. Meaning never rests on
// colour alone: every coloured mark has words next to it.

const fg = 'var(--center-channel-color, #3f4350)';
const fgA = (a: number) => `rgba(var(--center-channel-color-rgb, 63, 67, 80), ${a})`;

export const CSS = `
.dc-panel { color: ${fg}; background: var(--center-channel-bg, #fff); padding: 12px 16px 24px; font-size: 14px; line-height: 20px; overflow-y: auto; height: 100%; box-sizing: border-box; }
.dc-panel h2 { font-size: 18px; line-height: 24px; margin: 0; font-weight: 600; }
.dc-panel h3 { font-size: 14px; margin: 0; font-weight: 600; }
.dc-panel :focus-visible { outline: 2px solid var(--button-bg, #1c58d9); outline-offset: 2px; }
.dc-panel a { color: var(--link-color, #2d60b8); }
.dc-panel ol, .dc-panel ul { list-style: none; margin: 0; padding: 0; }
.dc-muted { color: ${fgA(0.72)}; }
.dc-small { font-size: 12px; }
.dc-section { border-top: 1px solid ${fgA(0.12)}; padding: 12px 0; }
.dc-section-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; margin-bottom: 8px; }
.dc-wf-header { padding-bottom: 12px; }
.dc-wf-title, .dc-status-text, .dc-event-summary, .dc-task label, .dc-error { overflow-wrap: anywhere; }
.dc-status-text { white-space: pre-wrap; margin: 0 0 4px; }
.dc-badges { display: flex; flex-wrap: wrap; gap: 4px; margin: 6px 0; }
.dc-badge { display: inline-block; max-width: 100%; padding: 0 6px; border-radius: 4px; font-size: 12px; line-height: 18px; background: ${fgA(0.08)}; border: 1px solid ${fgA(0.16)}; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.dc-badge-severity { border-color: var(--error-text, #d24b4e); }
.dc-badge-private { border-style: dashed; }
.dc-facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0 0; }
.dc-facts dt { color: ${fgA(0.72)}; }
.dc-facts dd { margin: 0; overflow-wrap: anywhere; }
.dc-stage { padding: 4px 0; }
.dc-stage-marker { display: inline-block; width: 18px; }
.dc-stage-current .dc-stage-name { font-weight: 600; }
.dc-stage-done .dc-stage-marker { color: var(--online-indicator, #06d6a0); }
.dc-panel .dc-gate { margin-left: 18px; font-size: 12px; }
.dc-gate-waiting { color: ${fgA(0.72)}; }
.dc-tasks .dc-task { display: flex; gap: 8px; align-items: flex-start; padding: 4px 0; }
.dc-task input { margin-top: 3px; }
.dc-task-done label { text-decoration: line-through; color: ${fgA(0.64)}; }
.dc-task-overdue .dc-small { color: var(--error-text, #d24b4e); }
.dc-roster .dc-person { display: flex; flex-direction: column; padding: 4px 0; }
.dc-person-name { font-weight: 600; overflow-wrap: anywhere; }
.dc-person-meta, .dc-hours { font-size: 12px; }
.dc-dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; border: 1px solid ${fgA(0.48)}; }
.dc-hours-in .dc-dot { background: var(--online-indicator, #06d6a0); border-color: var(--online-indicator, #06d6a0); }
.dc-event { display: flex; flex-direction: column; padding: 4px 0; border-bottom: 1px solid ${fgA(0.08)}; }
.dc-list-item { padding: 8px 0; border-bottom: 1px solid ${fgA(0.08)}; min-width: 0; }
.dc-list-title { display: block; font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.dc-filters { display: flex; flex-direction: column; gap: 4px; margin: 8px 0 12px; }
.dc-form, .dc-inline-form { display: flex; flex-direction: column; gap: 4px; margin-top: 8px; }
.dc-row { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; }
.dc-row label { display: flex; align-items: center; gap: 4px; }
.dc-check { display: flex; align-items: center; gap: 6px; }
.dc-actions { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-top: 8px; }
.dc-input { color: ${fg}; background: var(--center-channel-bg, #fff); border: 1px solid ${fgA(0.24)}; border-radius: 4px; padding: 4px 8px; font: inherit; box-sizing: border-box; max-width: 100%; }
textarea.dc-input { resize: vertical; }
.dc-button { background: var(--button-bg, #1c58d9); color: var(--button-color, #fff); border: 1px solid transparent; border-radius: 4px; padding: 4px 12px; font: inherit; font-weight: 600; cursor: pointer; align-self: flex-start; }
.dc-button-secondary { background: transparent; color: var(--button-bg, #1c58d9); border-color: var(--button-bg, #1c58d9); }
.dc-button-danger { background: var(--error-text, #d24b4e); color: #fff; }
.dc-button:disabled { opacity: 0.6; cursor: default; }
.dc-link-button { background: none; border: none; padding: 0 4px; color: var(--link-color, #2d60b8); font: inherit; cursor: pointer; text-decoration: underline; }
.dc-error { color: var(--error-text, #d24b4e); margin: 6px 0; }
.dc-notice { margin: 8px 0; }
.dc-widget { padding: 4px 16px 8px; }
.dc-widget-button { display: flex; flex-wrap: wrap; gap: 4px 8px; width: 100%; text-align: left; background: rgba(var(--sidebar-text-rgb, 255, 255, 255), 0.08); color: var(--sidebar-text, #fff); border: 1px solid rgba(var(--sidebar-text-rgb, 255, 255, 255), 0.16); border-radius: 4px; padding: 4px 8px; font: inherit; font-size: 12px; cursor: pointer; }
.dc-widget-button:focus-visible { outline: 2px solid var(--sidebar-text, #fff); }
.dc-widget-label { font-weight: 600; }
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
