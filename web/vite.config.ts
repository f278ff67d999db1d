import { defineConfig } from "vite";

// The gateway serves dist/ at / (it is copied next to the gateway as wwwroot/ on `dotnet build`),
// so the page and the hub share one origin and need no CORS entry.
export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
});
