import '@testing-library/jest-dom';

// A React warning (act, keys, controlled inputs) is a bug in the component or the test.
// Collected and failed after the test, because throwing from inside React or from a
// late promise would crash the worker instead of naming the test.
let errors: string[] = [];

beforeEach(() => {
    errors = [];
    jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
        errors.push(args.map(String).join(' '));
    });
});

afterEach(() => {
    if (errors.length > 0) {
        throw new Error(`console.error during the test:\n${errors.join('\n')}`);
    }
});
