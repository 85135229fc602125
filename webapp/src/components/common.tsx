// Small building blocks shared by the panel's sections.
import React from 'react';

import {useHostState} from '../hooks';
import {selectSiteURL, selectTimezone} from '../host';
import {formatTime, isoTime} from '../format';
import {navigate} from '../navigation';

// Not a live region of its own: the panel has one (a11y.tsx), for what actions did.
export function Loading({label}: {label: string}) {
    return <p className='dc-muted'>{`Loading ${label}…`}</p>;
}

export function ErrorMessage({message, onRetry}: {message: string; onRetry?: () => void}) {
    if (!message) {
        return null;
    }
    return (
        <div className='dc-error' role='alert'>
            <span aria-hidden='true'>{'⚠ '}</span>
            <Linkified text={message}/>
            {onRetry && (
                <button type='button' className='dc-link-button' onClick={onRetry}>{'Try again'}</button>
            )}
        </div>
    );
}

// A sentence's closing punctuation is not part of the link.
const URL_PATTERN = /(https?:\/\/[^\s)]*[^\s).,;:!?'"])/;

// Server refusals may carry a link (the duplicate guard names the similar workflow's channel).
export function Linkified({text}: {text: string}) {
    return (
        <>
            {text.split(URL_PATTERN).map((part, i) => (i % 2 === 1 ? <a key={i} href={part}>{part}</a> : part))}
        </>
    );
}

export function Section({title, children, actions}: {title: string; children: React.ReactNode; actions?: React.ReactNode}) {
    const id = `dc-section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    return (
        <section className='dc-section' aria-labelledby={id}>
            <div className='dc-section-head'>
                <h3 id={id}>{title}</h3>
                {actions}
            </div>
            {children}
        </section>
    );
}

export function Time({at}: {at: number}) {
    const tz = useHostState(selectTimezone);
    return <time dateTime={isoTime(at)}>{formatTime(at, tz)}</time>;
}

export function Badge({children, kind}: {children: React.ReactNode; kind?: 'status' | 'severity' | 'private'}) {
    return <span className={`dc-badge${kind ? ` dc-badge-${kind}` : ''}`}>{children}</span>;
}

// A link into the host app: a real href for new tabs, in-app routing for plain clicks.
export function AppLink({path, children, className, title}: {path: string; children: React.ReactNode; className?: string; title?: string}) {
    const siteURL = useHostState(selectSiteURL);
    return (
        <a
            className={className}
            title={title}
            href={siteURL + path}
            onClick={(e) => navigate(e, path)}
        >
            {children}
        </a>
    );
}

interface PanelFormProps {
    onSubmit(): void;
    onCancel(): void;
    submitLabel: string;
    // The last refusal, shown above the buttons; pending marks the submit button busy.
    error: string;
    pending: boolean;
    children: React.ReactNode;
}

// A panel form: Enter submits, Escape or Cancel cancels (without closing the host's
// sidebar too). The browser's own validation is off: the server's refusals say more.
export function PanelForm({onSubmit, onCancel, submitLabel, error, pending, children}: PanelFormProps) {
    return (
        <form
            className='dc-form'
            noValidate={true}
            onSubmit={(e) => {
                e.preventDefault();
                onSubmit();
            }}
            onKeyDown={(e) => {
                if (e.key === 'Escape') {
                    e.stopPropagation();
                    onCancel();
                }
            }}
        >
            {children}
            <ErrorMessage message={error}/>
            <div className='dc-actions'>
                <button type='submit' className='dc-button' aria-disabled={pending}>{submitLabel}</button>
                <button type='button' className='dc-button dc-button-secondary' onClick={onCancel}>{'Cancel'}</button>
            </div>
        </form>
    );
}
