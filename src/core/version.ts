/** This package's version, sent in hello's client metadata. A test keeps it equal to package.json's. */
export const VERSION = "0.1.0";
