using System.Runtime.InteropServices;

namespace Rectify.Host;

/// <summary>
/// Caps glibc's malloc arenas at one. glibc gives threads that allocate at once arenas of their own, up to eight per
/// core, and keeps what they freed: the host's native allocations (SQLite's page caches, OpenSSL, the runtime's own) are
/// few and small, and the extra arenas only held about 20 MB of idle memory (docs/operations.md, idle RSS; a cap of two
/// measured no better than none on a busy machine). The same as MALLOC_ARENA_MAX=1, set from inside so every way of
/// starting the host gets it; arenas made before Main stay.
/// </summary>
internal static class NativeMemory
{
    private const int ArenaMax = -8; // M_ARENA_MAX in glibc's malloc.h

    public static void CapMallocArenas()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { _ = MallOpt(ArenaMax, 1); }
        // musl (Alpine) and other C libraries have no mallopt: they keep their own allocator's behaviour.
        catch (EntryPointNotFoundException) { }
        catch (DllNotFoundException) { }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int param, int value);
}
