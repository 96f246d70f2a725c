/** Absolute path of the built dashboard (`dist/`, with `index.html`); empty until built. */
export declare const dashboardDistDir: string;
