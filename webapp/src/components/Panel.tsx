import React from 'react';

export default function Panel() {
    return <div className='dc-panel'>{'DevOps Channels'}</div>;
}
