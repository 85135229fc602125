// What keeps the panel usable without sight or a mouse: one polite live region that says
// what each action did, and focus that lands somewhere sensible after every change.
import React, {createContext, useCallback, useContext, useEffect, useLayoutEffect, useRef, useState} from 'react';

import {plural} from '../format';

type Announce = (message: string) => void;

// Outside a panel (a component test of one section) announcing does nothing.
const AnnounceContext = createContext<Announce>(() => undefined);

export function useAnnounce(): Announce {
    return useContext(AnnounceContext);
}

// The live region is in the page before anything is said in it, so screen readers
// that only watch changes to existing regions hear every message; each message is a
// new node, so the same words twice are announced twice.
export function Announcer({children}: {children: React.ReactNode}) {
    const [said, setSaid] = useState({n: 0, message: ''});
    const announce = useCallback((message: string) => setSaid((s) => ({n: s.n + 1, message})), []);
    return (
        <AnnounceContext.Provider value={announce}>
            {children}
            <div className='dc-sr-only dc-announcer' role='status' aria-live='polite' aria-atomic='true'>
                {said.message && <span key={said.n}>{said.message}</span>}
            </div>
        </AnnounceContext.Provider>
    );
}

export type Target = () => HTMLElement | null | undefined;

// useFocusAfter moves focus once the next render is on the page: to the element that
// replaced the one just used (a form's opener, the "Reopen" that follows "Close").
// The first target that exists wins. A layout effect, so no frame shows focus lost.
export function useFocusAfter(): (...targets: Target[]) => void {
    const wanted = useRef<Target[]>([]);
    const [tick, setTick] = useState(0);
    useLayoutEffect(() => {
        const targets = wanted.current;
        wanted.current = [];
        for (const target of targets) {
            const el = target();
            if (el) {
                el.focus();
                return;
            }
        }
    }, [tick]);
    return useCallback((...targets: Target[]) => {
        wanted.current = targets;
        setTick((t) => t + 1);
    }, []);
}

export const byId = (id: string): Target => () => document.getElementById(id);

// Marks the heading a panel view focuses when nothing better is left (data-dc-landing,
// with tabIndex -1 so a script can focus it without adding a tab stop).
export const LANDING = 'data-dc-landing';

// useFocusKeeper is the net under every other rule: when the element that had focus in
// the panel leaves the page (a link to the workflow just opened, a retry button that
// did its job) and focus falls to the page's body, it lands on the view's heading
// instead — or, while the next view loads, on the panel itself until the heading comes.
// Focus the user put elsewhere (the message box, the sidebar) is never taken.
export function useFocusKeeper(root: React.RefObject<HTMLElement | null>) {
    useEffect(() => {
        const panel = root.current;
        if (!panel) {
            return undefined;
        }
        let last: Element | null = null;
        // Set while the keeper itself parked focus on the panel; a click on the panel's
        // blank space also focuses it (tabIndex -1) but must not be moved later.
        let holding = false;
        const onFocusIn = (e: FocusEvent) => {
            last = e.target as Element;
            if (e.target !== panel) {
                holding = false;
            }
        };
        const rescue = () => {
            const active = document.activeElement;
            const landing = panel.querySelector<HTMLElement>(`[${LANDING}]`);
            if (holding && active === panel) {
                if (landing) {
                    holding = false;
                    landing.focus();
                }
                return;
            }
            const lost = (!active || active === document.body) && last !== null && !last.isConnected;
            if (!lost) {
                return;
            }
            if (landing) {
                landing.focus();
            } else {
                holding = true;
                panel.focus();
            }
        };
        panel.addEventListener('focusin', onFocusIn);
        const observer = new MutationObserver(rescue);
        observer.observe(panel, {childList: true, subtree: true});
        return () => {
            panel.removeEventListener('focusin', onFocusIn);
            observer.disconnect();
        };
    }, [root]);
}

// useMoreLoaded serves a "Load more" button: once the page has come, focus goes to the
// first item it brought (the button may be gone, with no more pages) and the count is
// said. It returns what the button calls before loading. The list's items take focus
// by script only (tabIndex -1).
export function useMoreLoaded(count: number, loading: boolean, list: React.RefObject<HTMLElement | null>, noun: string): () => void {
    const announce = useAnnounce();
    const from = useRef<number | null>(null);
    useLayoutEffect(() => {
        if (from.current === null || loading) {
            return;
        }
        const first = from.current;
        from.current = null;
        if (count > first) {
            (list.current?.children[first] as HTMLElement | undefined)?.focus();
            announce(`${plural(count - first, noun)} loaded.`);
        }
    }, [count, loading, list, noun, announce]);
    return useCallback(() => {
        from.current = count;
    }, [count]);
}
