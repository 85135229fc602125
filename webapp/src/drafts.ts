// A workflow waiting to be started from a message: the post menu's "Start a workflow…"
// sets it and opens the panel, whose start form takes it up.

export interface StartDraft {
    postId: string;

    // The message's first line with text, or '' when the host has not loaded the post
    // (then the server takes the title from the message).
    title: string;
}

export interface Drafts {
    current(): StartDraft | null;
    set(draft: StartDraft | null): void;
    subscribe(listener: () => void): () => void;
}

export function createDrafts(): Drafts {
    let draft: StartDraft | null = null;
    const listeners = new Set<() => void>();
    return {
        current: () => draft,
        set(next) {
            draft = next;
            listeners.forEach((l) => l());
        },
        subscribe(listener) {
            listeners.add(listener);
            return () => {
                listeners.delete(listener);
            };
        },
    };
}

export const MAX_TITLE = 200;

// The default title, as the server takes it (server/app/source.go, title): the first
// line with text, a heading's or quote's marks dropped, whitespace collapsed, cut to
// the limit with an ellipsis. The person sees it in the form and may change it.
export function titleFromMessage(message: string): string {
    for (const raw of message.split('\n')) {
        const line = raw.trim().replace(/^[#>]+/, '').replace(/\s+/g, ' ').trim();
        if (line) {
            const chars = [...line];
            return chars.length <= MAX_TITLE ? line : `${chars.slice(0, MAX_TITLE - 1).join('')}…`;
        }
    }
    return '';
}
