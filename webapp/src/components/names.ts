import {useCallback} from 'react';

import {useHostState} from '../hooks';
import {selectProfiles} from '../host';
import type {Member} from '../types';

export type NameOf = (userId: string) => string;

// Workflow members come with usernames; anyone else (a former member who signed off)
// is looked up in the profiles the host has already loaded.
export function useNameOf(members: Member[] | undefined): NameOf {
    const profiles = useHostState(selectProfiles);
    return useCallback((userId: string) => {
        if (!userId) {
            return 'nobody';
        }
        const username = members?.find((m) => m.user_id === userId)?.username ?? profiles?.[userId]?.username;
        return username ? `@${username}` : 'a former member';
    }, [members, profiles]);
}
