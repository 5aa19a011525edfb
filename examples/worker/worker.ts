// The conformance scenario inside a Web Worker: the machine runs off the page's thread, with no
// DOM and no Node, and posts its verdict back.
import { runConformance } from '../conformance-scenario.ts';

declare const self: { postMessage(message: unknown): void };

self.postMessage(runConformance());
