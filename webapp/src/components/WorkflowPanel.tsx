import React, {useCallback} from 'react';

import {capitalize, formatDuration} from '../format';
import {refreshes} from '../events';
import {useAsync, useHost, useNow, useWorkflowEvents} from '../hooks';
import type {PinnedTemplate, Workflow, WorkflowView} from '../types';

import {Badge, ErrorMessage, Loading, Time} from './common';
import FieldsSection from './FieldsSection';
import Lifecycle from './Lifecycle';
import {useNameOf} from './names';
import type {NameOf} from './names';
import Roster from './Roster';
import StageProgress from './StageProgress';
import StatusSection from './StatusSection';
import TaskList from './TaskList';
import Timeline from './Timeline';

// The panel inside a workflow's own channel.
export default function WorkflowPanel({id}: {id: string}) {
    const {api} = useHost();
    const view = useAsync(() => api.getWorkflow(id), id);
    const members = useAsync(() => api.members(id), id);
    const nameOf = useNameOf(members.data?.items);

    useWorkflowEvents((c) => {
        if (c.workflow_id !== id) {
            return;
        }
        if (refreshes(c, 'members')) {
            members.reload();
        }
        if (refreshes(c, 'workflow')) {
            view.reload();
        }
    });

    // Mutations answer with the workflow; keep the template and permissions if they are absent.
    const {update} = view;
    const onChanged = useCallback((wf: Workflow) => update((prev) => ({...prev, ...wf})), [update]);

    const wf = view.data;
    if (!wf) {
        return view.error ? <ErrorMessage message={view.error} onRetry={view.reload}/> : <Loading label='workflow'/>;
    }
    return (
        <div className='dc-workflow'>
            <Header wf={wf} nameOf={nameOf}/>
            <ErrorMessage message={view.error}/>
            <StageProgress wf={wf} nameOf={nameOf} onChanged={onChanged}/>
            <StatusSection wf={wf} nameOf={nameOf} onChanged={onChanged}/>
            <FieldsSection wf={wf} onChanged={onChanged}/>
            <TaskList
                workflowId={id}
                canManage={wf.permissions.manage_tasks && wf.status === 'active'}
                members={members.data?.items ?? []}
                nameOf={nameOf}
            />
            <Roster members={members.data?.items} error={members.error} onRetry={members.reload}/>
            <Timeline workflowId={id} nameOf={nameOf}/>
            <Lifecycle wf={wf} onChanged={onChanged}/>
        </div>
    );
}

// The header answers an on-call person's first questions at a glance: what, how bad,
// where it stands and for how long, who leads, and when the next update is owed.
function Header({wf, nameOf}: {wf: WorkflowView; nameOf: NameOf}) {
    const roles = wf.template.roles ?? [];
    const now = useNow(30_000);
    const active = wf.status === 'active';
    const owed = wf.next_reminder_at - now;
    return (
        <header className='dc-wf-header'>
            <h2 className='dc-wf-title' tabIndex={-1} data-dc-landing=''>{wf.title}</h2>
            <div className='dc-badges'>
                <Badge>{`${wf.template.name || capitalize(wf.type)} #${wf.seq}`}</Badge>
                {wf.severity && <Badge kind='severity'>{`Severity: ${wf.severity}`}</Badge>}
                <Badge kind='status'>{wf.status === 'active' ? 'Active' : 'Closed'}</Badge>
                {wf.private && <Badge kind='private'>{'Private'}</Badge>}
            </div>
            <dl className='dc-facts'>
                <dt>{'Stage'}</dt>
                <dd>
                    {wf.stage}
                    {active && wf.stage_entered_at > 0 && <span className='dc-muted'>{` · for ${formatDuration(now - wf.stage_entered_at)}`}</span>}
                </dd>
                {active && wf.next_reminder_at > 0 && (
                    <>
                        <dt>{'Next status update'}</dt>
                        <dd className={owed < 0 ? 'dc-overdue' : undefined}>
                            {owed < 0 ? `overdue by ${formatDuration(owed)}` : `due in ${formatDuration(owed)}`}
                            {' ('}<Time at={wf.next_reminder_at}/>{')'}
                        </dd>
                    </>
                )}
                {roles.map((role) => (
                    <React.Fragment key={role}>
                        <dt>{capitalize(role)}</dt>
                        <dd>{wf.roles?.[role] ? nameOf(wf.roles[role]) : 'unassigned'}</dd>
                    </React.Fragment>
                ))}
                {!roles.includes(wf.template.lead_role) && wf.lead_id && (
                    <>
                        <dt>{'Lead'}</dt>
                        <dd>{nameOf(wf.lead_id)}</dd>
                    </>
                )}
                <dt>{'Started'}</dt>
                <dd><Time at={wf.created_at}/></dd>
                {wf.pinned_template && !wf.pinned_template.current && (
                    <>
                        <dt>{'Template'}</dt>
                        <dd>{pinnedNote(wf.pinned_template)}</dd>
                    </>
                )}
                {wf.closed_at > 0 && (
                    <>
                        <dt>{'Closed'}</dt>
                        <dd><Time at={wf.closed_at}/></dd>
                    </>
                )}
            </dl>
        </header>
    );
}

// pinnedNote says why a workflow runs on an older template than its type's: it keeps the one it started with.
function pinnedNote(p: PinnedTemplate): string {
    const why = p.defined ? `the current one differs${p.changed.length ? `: ${p.changed.join(', ')}` : ''}` : 'the type is no longer defined';
    return `kept from its start (${why})`;
}
