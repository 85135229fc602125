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
);
