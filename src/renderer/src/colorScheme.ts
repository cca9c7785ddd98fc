import { onBeforeUnmount, ref, type Ref } from 'vue'

/** True while the OS asks for a dark colour scheme; follows changes live. */
export function usePrefersDark(): Ref<boolean> {
  const query =
    typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null
  const dark = ref(query?.matches ?? false)
  const update = (event: MediaQueryListEvent): void => {
    dark.value = event.matches
  }
  query?.addEventListener('change', update)
  onBeforeUnmount(() => query?.removeEventListener('change', update))
  return dark
}
