// The glue between components and the outside world: the host store, the API and live events.
import {createContext, useCallback, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore} from 'react';

import type {Api} from './client';
import {ApiError, errorMessage} from './client';
import type {Drafts, StartDraft} from './drafts';
import type {ChangeListener, Events} from './events';
import type {HostState, HostStore} from './host';
import type {Page} from './types';

export interface Host {
    store: HostStore;
    api: Api;
    events: Events;
    drafts: Drafts;
    showPanel(): void;
}

export const HostContext = createContext<Host | null>(null);

export function useHost(): Host {
    const host = useContext(HostContext);
    if (!host) {
        throw new Error('HostContext is missing');
    }
    return host;
}

// Selectors must return primitives or stable references, or every store update re-renders.
export function useHostState<T>(selector: (s: HostState) => T): T {
    const {store} = useHost();
    return useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}

// Keeps a callback's latest version reachable from long-lived effects without re-running them.
function useLatest<T>(value: T) {
    const ref = useRef(value);
    useLayoutEffect(() => {
        ref.current = value;
    });
    return ref;
}

// The workflow waiting to be started from a message, if any.
export function useStartDraft(): StartDraft | null {
    const {drafts} = useHost();
    return useSyncExternalStore(drafts.subscribe, drafts.current);
}

export function useWorkflowEvents(listener: ChangeListener) {
    const {events} = useHost();
    const latest = useLatest(listener);
    useEffect(() => events.subscribe((c) => latest.current(c)), [events, latest]);
}

export interface Async<T> {
    data: T | undefined;
    error: string;
    loading: boolean;
    reload(): void;
    update(change: (data: T) => T): void;
}

interface Settled<T> {
    key: string;
    nonce: number;
    data?: T;
    error: string;
}

// Loads data for a key (e.g. a workflow id). A new key starts from nothing, so one
// channel's workflow never flashes in another's panel; reload() keeps what is shown
// until the fresh answer arrives, so live updates do not flicker.
// Whatever is loaded is loaded again after the websocket reconnects, because changes
// made while it was down sent events nobody received.
export function useAsync<T>(load: () => Promise<T>, key: string): Async<T> {
    const latest = useLatest(load);
    const [nonce, setNonce] = useState(0);
    const [settled, setSettled] = useState<Settled<T>>({key: '\u0000', nonce: -1, error: ''});
    const events = useContext(HostContext)?.events;
    useEffect(() => events?.onResync(() => setNonce((n) => n + 1)), [events]);

    useEffect(() => {
        let live = true;
        latest.current().then(
            (data) => live && setSettled({key, nonce, data, error: ''}),
            (err: unknown) => live && setSettled((s) => ({key, nonce, data: s.key === key ? s.data : undefined, error: errorMessage(err)})),
        );
        return () => {
            live = false;
        };
    }, [key, nonce, latest]);

    const current = settled.key === key;
    return {
        data: current ? settled.data : undefined,
        error: current ? settled.error : '',
        loading: !current || settled.nonce !== nonce,
        reload: useCallback(() => setNonce((n) => n + 1), []),
        update: useCallback((change: (data: T) => T) => setSettled((s) => (s.data === undefined ? s : {...s, data: change(s.data)})), []),
    };
}

export interface Paged<T> {
    items: T[];
    loading: boolean;
    error: string;
    hasMore: boolean;
    loadingMore: boolean;
    loadMore(): void;
    reload(): void;
}

interface More<T> {
    key: string;
    items: T[];
    cursor: string;
    error: string;
    loading: boolean;
}

// Cursor paging on top of useAsync. reload() refreshes the first page and keeps the
// older pages the user already loaded (merged by id), so a live update does not
// collapse a long timeline; a new key starts over.
export function usePaged<T extends {id: string}>(load: (cursor: string) => Promise<Page<T>>, key: string): Paged<T> {
    const first = useAsync(() => load(''), key);
    const latest = useLatest(load);
    const [more, setMore] = useState<More<T>>({key: '', items: [], cursor: '', error: '', loading: false});
    const own = more.key === key;
    const cursor = own ? more.cursor : first.data?.next_cursor ?? '';

    const busy = own && more.loading;
    const loadMore = useCallback(() => {
        if (!cursor || busy) {
            return;
        }
        setMore((m) => ({...(m.key === key ? m : {items: [], cursor}), key, error: '', loading: true}));
        latest.current(cursor).then(
            (page) => setMore((m) => (m.key === key ? {...m, items: [...m.items, ...page.items], cursor: page.next_cursor, loading: false} : m)),
            (err: unknown) => setMore((m) => (m.key === key ? {...m, error: errorMessage(err), loading: false} : m)),
        );
    }, [key, cursor, busy, latest]);

    const items = useMemo(() => {
        const seen = new Set<string>();
        return [...(first.data?.items ?? []), ...(own ? more.items : [])].filter((it) => !seen.has(it.id) && Boolean(seen.add(it.id)));
    }, [first.data, own, more.items]);

    return {
        items,
        loading: first.loading && !first.data,
        error: first.error || (own ? more.error : ''),
        hasMore: Boolean(cursor),
        loadingMore: own && more.loading,
        loadMore,
        reload: first.reload,
    };
}

export interface Action {
    pending: boolean;
    error: string;
    status: number;
    run<R>(call: () => Promise<R>): Promise<R | undefined>;
    fail(message: string): void;
}

// Runs one user-initiated request at a time and keeps its refusal to show inline. A
// second press while one is in flight is ignored here, so buttons need not be disabled
// (a disabled button drops keyboard focus to the page).
export function useAction(): Action {
    const [pending, setPending] = useState(false);
    const [failure, setFailure] = useState({error: '', status: 0});
    const inFlight = useRef(false);
    const run = useCallback(async <R, >(call: () => Promise<R>) => {
        if (inFlight.current) {
            return undefined;
        }
        inFlight.current = true;
        setPending(true);
        setFailure({error: '', status: 0});
        try {
            return await call();
        } catch (err) {
            setFailure({error: errorMessage(err), status: err instanceof ApiError ? err.status : 0});
            return undefined;
        } finally {
            inFlight.current = false;
            setPending(false);
        }
    }, []);
    const fail = useCallback((error: string) => setFailure({error, status: 0}), []);
    return {pending, ...failure, run, fail};
}

// Delays a fast-changing value (typing in a search box) so the server sees one query, not one per key.
export function useDebounced<T>(value: T, ms: number): T {
    const [debounced, setDebounced] = useState(value);
    useEffect(() => {
        const t = setTimeout(() => setDebounced(value), ms);
        return () => clearTimeout(t);
    }, [value, ms]);
    return debounced;
}

// The current time, ticking once a period, so "overdue" appears without a reload.
export function useNow(periodMs = 60_000): number {
    const [now, setNow] = useState(Date.now);
    useEffect(() => {
        const t = setInterval(() => setNow(Date.now()), periodMs);
        return () => clearInterval(t);
    }, [periodMs]);
    return now;
}
