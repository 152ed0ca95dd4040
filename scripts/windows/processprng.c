/* A test-only stand-in for Windows' bcryptprimitives.dll, for Wine 8, which lacks ProcessPrng
 * (Rust's standard library imports it for its random numbers since Rust 1.78). It forwards to
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has. Built by scripts/windows-cli with
 * mingw-w64 and placed beside synqpay.exe for the Wine run only: never part of the product. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
