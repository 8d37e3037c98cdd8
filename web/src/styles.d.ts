// The stylesheet is imported for its side effect; Vite bundles it (TypeScript 6 checks such imports).
declare module '*.css';
