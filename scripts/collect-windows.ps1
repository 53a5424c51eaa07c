<#
.SYNOPSIS
  sonae collector for Windows PCs and servers: reports the Windows release
  with its full build number and the installed applications as a system's
  components (PUT /api/v1/systems/{id}/collected), replacing what an
  earlier run of it reported.

.DESCRIPTION
  Microsoft's CVE records name each Windows release ("Windows 11 Version
  23H2", "Windows Server 2022") with build-number ranges
  (10.0.0 <= v < 10.0.22631.3593), so the build is read with its update
  revision (UBR). Applications come from the uninstall registry keys (64-bit,
  32-bit and the current user's), as "Programs and Features" lists them.

  Needs Windows PowerShell 5.1 or PowerShell 7; no administrator rights.
  The token is an API token of a sonae account that may change the system's
  components (created on the account page).

.EXAMPLE
  $env:SONAE_COLLECT_TOKEN = 'sonae_...'
  .\collect-windows.ps1 -Server https://sonae.example.jp -System 12

.EXAMPLE
  .\collect-windows.ps1 -DryRun     # print the JSON that would be sent
#>
[CmdletBinding()]
param(
    [string]$Server,
    [int]$System,
    [string]$Token = $env:SONAE_COLLECT_TOKEN,
    [switch]$DryRun
)
$ErrorActionPreference = 'Stop'

# The release as Microsoft's advisories name it, and the full build.
$cv = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
$build = "10.0.$($cv.CurrentBuildNumber).$($cv.UBR)"
$caption = (Get-CimInstance Win32_OperatingSystem).Caption
$release = if ($cv.DisplayVersion) { $cv.DisplayVersion } else { $cv.ReleaseId }
if ($caption -match 'Server') {
    # "Microsoft Windows Server 2022 Standard" -> "Windows Server 2022"
    $product = ($caption -replace '^Microsoft\s+', '') `
        -replace '\s+(Standard|Datacenter|Essentials|Foundation|Enterprise)(\s+Evaluation)?$', ''
} elseif ([int]$cv.CurrentBuildNumber -ge 22000) {
    $product = "Windows 11 Version $release"
} else {
    $product = "Windows 10 Version $release"
}

# Installed applications, once each.
$keys = @(
    'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*',
    'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*',
    'HKCU:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*'
)
$seen = @{}
$apps = foreach ($k in $keys) {
    Get-ItemProperty $k -ErrorAction SilentlyContinue |
        Where-Object { $_.DisplayName -and -not $_.SystemComponent -and -not $_.ParentKeyName } |
        ForEach-Object {
            $id = "$($_.DisplayName)|$($_.DisplayVersion)"
            if (-not $seen.ContainsKey($id)) {
                $seen[$id] = $true
                [ordered]@{
                    name    = [string]$_.DisplayName
                    version = if ($_.DisplayVersion) { [string]$_.DisplayVersion } else { $null }
                    vendor  = if ($_.Publisher) { [string]$_.Publisher } else { $null }
                }
            }
        }
}

$body = [ordered]@{
    windows      = [ordered]@{ product = $product; build = $build }
    packages     = @()
    applications = @($apps)
} | ConvertTo-Json -Depth 4

if ($DryRun) {
    $body
    Write-Host "$product $build, $(@($apps).Count) applications (dry run: nothing sent)"
    return
}
if (-not $Server -or -not $System -or -not $Token) {
    throw '-Server, -System and -Token (or SONAE_COLLECT_TOKEN) are needed unless -DryRun'
}
$uri = "$($Server.TrimEnd('/'))/api/v1/systems/$System/collected"
$r = Invoke-RestMethod -Method Put -Uri $uri `
    -Headers @{ Authorization = "Bearer $Token" } `
    -ContentType 'application/json; charset=utf-8' `
    -Body ([System.Text.Encoding]::UTF8.GetBytes($body))
Write-Host "$product $build and $(@($apps).Count) applications sent: $($r.added) added, $($r.updated) updated, $($r.removed) removed, $($r.unchanged) unchanged"
