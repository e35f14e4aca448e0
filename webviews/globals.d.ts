// Stylesheets imported by webview scripts: esbuild bundles them into dist/webviews/<name>.css.
declare module '*.css';
