// The official driver's own compress / decompress (lib/cmap/wire_protocol/compression.js), which its
// published types leave out; the bench calls them to time what the driver does.
declare module "mongodb/lib/cmap/wire_protocol/compression.js" {
  export function compress(
    options: { agreedCompressor: "snappy" | "zlib" | "zstd" | "none"; zlibCompressionLevel?: number },
    dataToBeCompressed: Uint8Array,
  ): Promise<Uint8Array>;
  export function decompress(compressorID: number, compressedData: Uint8Array): Promise<Uint8Array>;
}
