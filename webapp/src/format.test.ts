import {epochOfLocalInput, formatDuration, localInputOf, plural} from './format';

test('a datetime-local value is a wall-clock time in the given zone', () => {
    expect(epochOfLocalInput('2030-01-15T09:30', 'Asia/Tokyo')).toBe(Date.UTC(2030, 0, 15, 0, 30));
    expect(epochOfLocalInput('2030-01-15T09:30', 'America/New_York')).toBe(Date.UTC(2030, 0, 15, 14, 30));
    // Summer time: Berlin is UTC+2 in July, UTC+1 in January.
    expect(epochOfLocalInput('2030-07-01T12:00', 'Europe/Berlin')).toBe(Date.UTC(2030, 6, 1, 10, 0));
    expect(epochOfLocalInput('2030-01-01T12:00', 'Europe/Berlin')).toBe(Date.UTC(2030, 0, 1, 11, 0));
    // The evening the clocks go back, on either side of the change.
    expect(epochOfLocalInput('2030-10-27T01:30', 'Europe/Berlin')).toBe(Date.UTC(2030, 9, 26, 23, 30));
    expect(epochOfLocalInput('2030-10-27T04:00', 'Europe/Berlin')).toBe(Date.UTC(2030, 9, 27, 3, 0));
});

test('a malformed value is NaN, not a wrong time', () => {
    expect(epochOfLocalInput('2030-01-15', 'Asia/Tokyo')).toBeNaN();
    expect(epochOfLocalInput('', 'Asia/Tokyo')).toBeNaN();
});

test('localInputOf is the inverse', () => {
    const at = Date.UTC(2030, 0, 15, 0, 30);
    expect(localInputOf(at, 'Asia/Tokyo')).toBe('2030-01-15T09:30');
    expect(epochOfLocalInput(localInputOf(at, 'America/New_York'), 'America/New_York')).toBe(at);
});

test('durations read as people say them', () => {
    expect(formatDuration(30_000)).toBe('less than a minute');
    expect(formatDuration(5 * 60_000)).toBe('5 min');
    expect(formatDuration(-5 * 60_000)).toBe('5 min');
    expect(formatDuration(125 * 60_000)).toBe('2 h 5 min');
    expect(formatDuration(120 * 60_000)).toBe('2 h');
    expect(formatDuration((3 * 24 + 4) * 3600_000 + 59_000)).toBe('3 d 4 h');
    expect(plural(1, 'open task')).toBe('1 open task');
    expect(plural(2, 'open task')).toBe('2 open tasks');
});
