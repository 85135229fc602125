import {MAX_TITLE, titleFromMessage} from './drafts';

test('the title is the first line of the message with text, as the server takes it', () => {
    expect(titleFromMessage('\n  \n## Checkout  errors in EU\nmore')).toBe('Checkout errors in EU');
    expect(titleFromMessage('> quoted alert\nbody')).toBe('quoted alert');
    expect(titleFromMessage('#\n>\n')).toBe('');
    const long = titleFromMessage('x'.repeat(MAX_TITLE + 20));
    expect([...long]).toHaveLength(MAX_TITLE);
    expect(long.endsWith('…')).toBe(true);
});
