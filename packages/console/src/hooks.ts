// Loading state for SDK calls: data, the error to show, and a reload; optional polling for live pages.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export const useLoad = <T>(load: () => Promise<T>, deps: readonly unknown[], pollMs?: number): Loaded<T> => {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const latest = useRef(load);
  latest.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to load again
  useEffect(() => {
    let live = true;
    setLoading(true);
    latest
      .current()
      .then((value) => {
        if (!live) return;
        setData(value);
        setError(undefined);
      })
      .catch((e: unknown) => live && setError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  useEffect(() => {
    if (!pollMs) return;
    const timer = setInterval(() => setTick((t) => t + 1), pollMs);
    return () => clearInterval(timer);
  }, [pollMs]);
  return { data, error, loading, reload: useCallback(() => setTick((t) => t + 1), []) };
};

/** Runs an action, keeping its error (or clearing it on success) and whether it is running. */
export const useAction = () => {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = async <T>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await action();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run, clear: () => setError(undefined) };
};

/** The first page of an SDK list. */
export const firstPage = async <P>(list: { pages(): AsyncIterable<P> }): Promise<P> => {
  for await (const page of list.pages()) return page;
  throw new Error('the list answered no page');
};
