// Builds dist/main.js, the one file the Mattermost server serves to the browser.
const path = require('path');

module.exports = (env, argv) => ({
    entry: './src/index.tsx',
    output: {
        path: path.resolve(__dirname, 'dist'),
        filename: 'main.js',
        clean: true,
    },
    resolve: {
        extensions: ['.ts', '.tsx', '.js'],
    },
    module: {
        rules: [{
            test: /\.tsx?$/,
            exclude: /node_modules/,
            use: {
                loader: 'ts-loader',

                // Type errors are caught by `npm run check`; the build only transpiles so it stays fast.
                options: {transpileOnly: true},
            },
        }],
    },

    // The Mattermost web app already ships these and exposes them as globals;
    // bundling our own copies would add ~45 KB and two Reacts on one page.
    externals: {
        react: 'React',
        'react-dom': 'ReactDOM',
        redux: 'Redux',
        'react-redux': 'ReactRedux',
        'prop-types': 'PropTypes',
    },
    devtool: argv.mode === 'production' ? false : 'eval-source-map',
    performance: {
        hints: false,
    },
});
