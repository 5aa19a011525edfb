// esbuild loads .svg files as text (scripts/viewer-site.ts): the statechart is inlined in the page.
declare module '*.svg' {
  const text: string;
  export default text;
}
