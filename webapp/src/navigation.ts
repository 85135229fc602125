// Moves the host web app to a channel or post without reloading the page.

interface BrowserHistory {
    push(path: string): void;
}

declare global {
    interface Window {
        WebappUtils?: {browserHistory?: BrowserHistory};
    }
}

export function channelPath(teamName: string, channelName: string): string {
    return `/${teamName}/channels/${channelName}`;
}

export function permalinkPath(teamName: string, postId: string): string {
    return `/${teamName}/pl/${postId}`;
}

// Plain clicks go through the host's router (which knows the subpath it is served under);
// modified clicks fall through to the href so "open in new tab" still works.
export function navigate(event: {preventDefault(): void; button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey: boolean}, path: string) {
    const history = window.WebappUtils?.browserHistory;
    if (!history || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
        return;
    }
    event.preventDefault();
    history.push(path);
}
