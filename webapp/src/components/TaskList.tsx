import React, {useState} from 'react';

import {errorMessage} from '../client';
import type {NewTask} from '../client';
import {epochOfLocalInput, formatTime, localInputOf} from '../format';
import {refreshes} from '../events';
import {useAction, useAsync, useHost, useHostState, useNow, useWorkflowEvents} from '../hooks';
import {selectTimezone} from '../host';
import type {Member, Task} from '../types';

import {byId, useAnnounce, useFocusAfter} from './a11y';
import {ErrorMessage, Loading, Section} from './common';
import type {NameOf} from './names';

interface Props {
    workflowId: string;
    canManage: boolean;
    members: Member[];
    nameOf: NameOf;
}

export default function TaskList({workflowId, canManage, members, nameOf}: Props) {
    const {api} = useHost();
    const tasks = useAsync(() => api.tasks(workflowId), workflowId);
    const [busy, setBusy] = useState<ReadonlySet<number>>(new Set());
    const [error, setError] = useState('');
    const now = useNow();
    const tz = useHostState(selectTimezone);
    const announce = useAnnounce();

    useWorkflowEvents((c) => {
        if (c.workflow_id === workflowId && refreshes(c, 'tasks')) {
            tasks.reload();
        }
    });

    const replace = (task: Task) => tasks.update((d) => ({items: d.items.map((t) => (t.number === task.number ? task : t))}));
    const setBusyFor = (n: number, on: boolean) => setBusy((b) => {
        const next = new Set(b);
        if (on) {
            next.add(n);
        } else {
            next.delete(n);
        }
        return next;
    });

    // Ticks show at once; a refusal puts the box back and says why. The box stays
    // enabled while saving, so focus stays on it; a second press meanwhile is ignored.
    const toggle = async (task: Task) => {
        if (busy.has(task.number)) {
            return;
        }
        setError('');
        setBusyFor(task.number, true);
        replace({...task, done: !task.done});
        try {
            const saved = await api.setTaskDone(workflowId, task.number, !task.done);
            replace(saved);
            announce(`Task #${saved.number} ${saved.done ? 'done' : 'not done'}.`);
        } catch (err) {
            replace(task);
            setError(`Task #${task.number}: ${errorMessage(err)}`);
        } finally {
            setBusyFor(task.number, false);
        }
    };

    const add = async (task: NewTask) => {
        const created = await api.addTask(workflowId, task);
        tasks.update((d) => ({items: [...d.items.filter((t) => t.number !== created.number), created]}));
        announce(`Task #${created.number} added: ${created.text}`);
        return created;
    };

    const items = tasks.data?.items;
    const done = items?.filter((t) => t.done).length ?? 0;
    return (
        <Section title={items ? `Checklist (${done} of ${items.length} done)` : 'Checklist'}>
            {!items && (tasks.error ? <ErrorMessage message={tasks.error} onRetry={tasks.reload}/> : <Loading label='checklist'/>)}
            {items?.length === 0 && <p className='dc-muted'>{'No tasks yet.'}</p>}
            {items && items.length > 0 && (
                <ul className='dc-tasks'>
                    {items.map((t) => (
                        <TaskItem
                            key={t.number}
                            task={t}
                            disabled={!canManage}
                            busy={busy.has(t.number)}
                            nameOf={nameOf}
                            now={now}
                            tz={tz}
                            onToggle={() => toggle(t)}
                        />
                    ))}
                </ul>
            )}
            <ErrorMessage message={error}/>
            {canManage && items && (
                <AddTask members={members} tz={tz} now={now} onAdd={add}/>
            )}
        </Section>
    );
}

// assigneesOf is everyone a task is assigned to; a server that knows one assignee
// sends only assignee_id.
export function assigneesOf(task: Task): string[] {
    if (task.assignee_ids && task.assignee_ids.length > 0) {
        return task.assignee_ids;
    }
    return task.assignee_id ? [task.assignee_id] : [];
}

interface ItemProps {
    task: Task;
    disabled: boolean;
    busy: boolean;
    nameOf: NameOf;
    now: number;
    tz: string;
    onToggle(): void;
}

function TaskItem({task, disabled, busy, nameOf, now, tz, onToggle}: ItemProps) {
    const id = `dc-task-${task.number}`;
    const overdue = !task.done && task.due_at > 0 && task.due_at < now;
    const assignees = assigneesOf(task);
    const meta = [
        assignees.length > 0 ? `assigned to ${assignees.map(nameOf).join(', ')}` : 'unassigned',
        task.due_at > 0 ? `due ${formatTime(task.due_at, tz)}${overdue ? ' (overdue)' : ''}` : '',
        [task.stage, task.discipline].filter(Boolean).join(', '),
        task.done && task.done_by ? `done by ${nameOf(task.done_by)}` : '',
    ].filter(Boolean);
    return (
        <li className={`dc-task${task.done ? ' dc-task-done' : ''}${overdue ? ' dc-task-overdue' : ''}`}>
            <input
                id={id}
                type='checkbox'
                checked={task.done}
                disabled={disabled}
                aria-busy={busy || undefined}
                aria-describedby={`${id}-details`}
                onChange={onToggle}
            />
            <div>
                <label htmlFor={id}>{`#${task.number} ${task.text}`}</label>
                <div id={`${id}-details`} className='dc-muted dc-small'>{meta.join(' · ')}</div>
            </div>
        </li>
    );
}

function AddTask({members, tz, now, onAdd}: {members: Member[]; tz: string; now: number; onAdd(task: NewTask): Promise<Task>}) {
    const action = useAction();
    const focusAfter = useFocusAfter();
    const [text, setText] = useState('');
    const [assignee, setAssignee] = useState('');
    const [due, setDue] = useState('');

    const submit = async () => {
        if (!text.trim()) {
            action.fail('Describe the task first.');
            return;
        }
        // The due time is a wall-clock time in the user's Mattermost time zone.
        const dueAt = due ? epochOfLocalInput(due, tz) : undefined;
        if (Number.isNaN(dueAt)) {
            action.fail('Give the due time as a date and a time.');
            return;
        }
        const created = await action.run(() => onAdd({text: text.trim(), assignee_id: assignee || undefined, due_at: dueAt}));
        if (created) {
            setText('');
            setAssignee('');
            setDue('');
            // Ready for the next task.
            focusAfter(byId('dc-new-task'));
        }
    };

    return (
        <form
            className='dc-form dc-add-task'
            aria-label='Add a task'
            onSubmit={(e) => {
                e.preventDefault();
                submit();
            }}
        >
            <label htmlFor='dc-new-task'>{'New task'}</label>
            <input id='dc-new-task' className='dc-input' value={text} onChange={(e) => setText(e.target.value)}/>
            <div className='dc-row'>
                <label>
                    {'Assignee'}
                    <select className='dc-input' value={assignee} onChange={(e) => setAssignee(e.target.value)}>
                        <option value=''>{'Unassigned'}</option>
                        {members.map((m) => <option key={m.user_id} value={m.user_id}>{`@${m.username}`}</option>)}
                    </select>
                </label>
                <label>
                    {'Due'}
                    <input type='datetime-local' className='dc-input' min={localInputOf(now, tz)} value={due} onChange={(e) => setDue(e.target.value)}/>
                </label>
            </div>
            <ErrorMessage message={action.error}/>
            <button type='submit' className='dc-button' aria-disabled={action.pending}>{'Add task'}</button>
        </form>
    );
}
