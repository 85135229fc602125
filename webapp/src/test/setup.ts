import '@testing-library/jest-dom';

// A React warning (act, keys, controlled inputs) is a bug in the component or the test: fail on it.
beforeEach(() => {
    jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
        throw new Error(`console.error: ${args.map(String).join(' ')}`);
    });
});
