import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
    {ignores: ['dist/', 'coverage/', 'node_modules/']},
    js.configs.recommended,
    ...tseslint.configs.strict,
    {
        files: ['src/**/*.{ts,tsx}'],
        plugins: {'react-hooks': reactHooks},
        rules: {
            ...reactHooks.configs.recommended.rules,
            eqeqeq: ['error', 'always'],
            'no-console': 'error',
            curly: 'error',
            '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_'}],
        },
    },
    {
        files: ['*.js', 'scripts/*.mjs'],
        languageOptions: {
            globals: {require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly', URL: 'readonly'},
        },
        rules: {'@typescript-eslint/no-require-imports': 'off'},
    },
    {
        // The real-browser test's host page: a plain script with the web app's globals.
        files: ['browser/host/*.js'],
        languageOptions: {
            sourceType: 'script',
            globals: {
                window: 'readonly', document: 'readonly', location: 'readonly', history: 'readonly', fetch: 'readonly',
                WebSocket: 'readonly', URLSearchParams: 'readonly', setTimeout: 'readonly', getComputedStyle: 'readonly',
                React: 'readonly', ReactDOM: 'readonly', Redux: 'readonly', ReactRedux: 'readonly',
            },
        },
        rules: {eqeqeq: ['error', 'always'], curly: 'error'},
    },
    {
        // The real-browser test itself (Node); page.evaluate callbacks run in the page.
        files: ['browser/*.mjs'],
        languageOptions: {
            globals: {process: 'readonly', fetch: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', window: 'readonly', document: 'readonly', getComputedStyle: 'readonly'},
        },
        rules: {eqeqeq: ['error', 'always'], curly: 'error'},
    },
);
